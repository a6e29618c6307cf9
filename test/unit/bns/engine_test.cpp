#include <bns/db/engine.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include <bns/names.h>
#include <bns/ops/ops.h>
#include <bns/records_json.h>

#include "chain_fixture.h"

namespace blockstack::bns {
namespace {

using db::Engine;
using testutil::ChainFixture;
using testutil::Node;
using testutil::Wallet;

using testutil::CheapNamespace;
using testutil::H160;
using testutil::MAGIC;

class EngineTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  explicit EngineTest(EpochSchedule epochs = EpochSchedule::Single(3)) : Scenario(std::move(epochs)) {}

  // A branch from block `fork`: bob preorders bob.test (against the consensus
  // hash `ch`) and registers it, then `more` empty blocks.
  void MineBobsBranch(uint32_t fork, const std::string& ch, int more) {
    chain.Fork(fork);
    auto hash = *HashName("bob.test", bob.script, bob.address);
    chain.Op(bob, ops::BuildNamePreorder(MAGIC, hash, ch),
             {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
    chain.Mine();
    chain.Op(bob, ops::BuildRegistration(MAGIC, "bob.test", H160(2)), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
    chain.Mine();
    for (int i = 0; i < more; ++i) chain.Mine();
  }
};

}  // namespace

namespace {

TEST_F(EngineTest, FullLifecycle) {
  CreateNamespace("test", 0xffffffff);
  auto ns = node->db->GetNamespace("test");
  ASSERT_TRUE(ns && *ns);
  EXPECT_TRUE((*ns)->IsReady());
  EXPECT_EQ((*ns)->recipient_address, creator.address);

  uint32_t h = Register(alice, "alice.test", H160(0xaa));
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  auto rec = node->db->GetName("alice.test");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->address, alice.address);
  EXPECT_EQ((*rec)->value_hash, H160(0xaa).Hex());
  EXPECT_EQ((*rec)->first_registered, h);
  EXPECT_EQ((*rec)->op, ":");
  EXPECT_FALSE(node->db->GetPreorder((*rec)->preorder_hash).value().has_value()) << "preorder consumed";

  // update
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(0xbb)), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  EXPECT_EQ(node->db->GetName("alice.test").value()->value_hash, H160(0xbb).Hex());

  // transfer to bob, keeping the zone-file hash
  chain.Op(alice, ops::BuildTransfer(MAGIC, "alice.test", true, LastCh()), {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  rec = node->db->GetName("alice.test");
  EXPECT_EQ((*rec)->address, bob.address);
  EXPECT_EQ((*rec)->op, ">>");
  EXPECT_EQ((*rec)->value_hash, H160(0xbb).Hex());

  // alice can no longer update it
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(0xcc)), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // renewal by bob, setting a new hash
  chain.Op(bob, ops::BuildRegistration(MAGIC, "alice.test", H160(0xdd)),
           {chain.Pay(bob, 5500), chain.Pay(bob, 5500), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  EXPECT_EQ(OpAt(h).opcode, "NAME_RENEWAL");
  rec = node->db->GetName("alice.test");
  EXPECT_EQ((*rec)->last_renewed, h);
  EXPECT_EQ((*rec)->value_hash, H160(0xdd).Hex());

  // every hash the name ever had finds it; one it never had, nothing
  for (int b : {0xaa, 0xbb, 0xdd}) {
    EXPECT_EQ(node->db->HistoryIdsWithValueHash(H160(b).Hex()).value(), std::vector<std::string>{"alice.test"}) << b;
  }
  EXPECT_TRUE(node->db->HistoryIdsWithValueHash(H160(0xcc).Hex()).value().empty());

  // revoke
  chain.Op(bob, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(bob, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  rec = node->db->GetName("alice.test");
  EXPECT_TRUE((*rec)->revoked);
  EXPECT_FALSE((*rec)->value_hash.has_value());

  // revoked: no more updates, transfers or renewals
  chain.Op(bob, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(0xee)), {chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // history: newest first, and the state at a past height
  auto hist = node->db->History("alice.test", 0);
  ASSERT_TRUE(hist);
  ASSERT_GE(hist->size(), 6u);
  EXPECT_EQ((*hist)[0].opcode, "NAME_REVOKE");
  EXPECT_EQ(hist->back().opcode, "NAME_PREORDER");
}

TEST_F(EngineTest, ConsensusHashesMatchOnASecondNodeAndChangeWithOps) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(1));
  chain.Mine();
  node->Sync();
  Node second(chain.source, chain.rules);
  second.Sync();
  uint32_t last = *node->db->LastBlock().value();
  std::set<std::string> distinct;
  for (uint32_t h = ChainFixture::FIRST; h <= last; ++h) {
    EXPECT_EQ(node->Ch(h), second.Ch(h)) << h;
    distinct.insert(node->Ch(h));
  }
  EXPECT_EQ(distinct.size(), last - ChainFixture::FIRST + 1) << "every block has its own consensus hash";
}

std::string Dump(db::NameDb& db) {
  std::string out;
  auto names = db.AllNames(0, 100000);
  for (const auto& n : *names) out += ToJson(n).dump() + "\n";
  auto namespaces = db.AllNamespaces();
  for (const auto& n : *namespaces) out += ToJson(n).dump() + "\n";
  uint32_t last = *db.LastBlock().value();
  for (uint32_t h = ChainFixture::FIRST; h <= last; ++h) {
    auto snap = *db.SnapshotAt(h);
    if (!snap) return "missing snapshot at " + std::to_string(h);
    out += std::to_string(h) + " " + snap->consensus_hash + " " + snap->block_hash + "\n";
    auto ops_at = db.OpsAt(h);
    for (const auto& op : *ops_at) out += op.txid + op.opcode + (op.accepted ? "+" : "-") + op.reason + "\n";
  }
  for (const auto& n : *names) {
    auto rows = db.History(n.name, 0, 1000);
    for (const auto& row : *rows) out += row.data + "\n";
  }
  return out;
}

TEST_F(EngineTest, ReorgGivesTheSameStateAsIndexingTheNewBranch) {
  CreateNamespace("test", 0xffffffff);
  uint32_t fork = *node->db->LastBlock().value();
  std::string ch_at_fork = LastCh();
  // branch A: alice registers a name
  Register(alice, "alice.test", H160(1));
  MineAndSync();
  ASSERT_TRUE(node->db->GetName("alice.test").value().has_value());

  // branch B from the fork point: bob registers a different name, and two more blocks
  MineBobsBranch(fork, ch_at_fork, 2);
  node->Sync();
  EXPECT_FALSE(node->db->GetName("alice.test").value().has_value());
  ASSERT_TRUE(node->db->GetName("bob.test").value().has_value());

  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Dump(*node->db), Dump(*fresh.db));
}

// A catch-up longer than the kept undo depth writes no undo for the blocks that
// will be too deep to take back by the time it ends. A reorganisation at its tip
// still ends equal to a node that indexed the new branch; one below the kept
// depth is refused.
TEST_F(EngineTest, ALongCatchUpStillTakesBackAReorganisationAtItsTip) {
  CreateNamespace("test", 0xffffffff);
  const uint32_t seen = *node->db->LastBlock().value();
  Register(alice, "alice.test", H160(1));
  // 1,100 blocks the node has not seen, then a catch-up over all of them.
  for (int i = 0; i < 1100; ++i) chain.Mine();
  const uint32_t tip = chain.Mine();
  node->Sync();
  ASSERT_EQ(*node->db->LastBlock().value(), tip);
  EXPECT_EQ(*node->db->GetMeta("undo_from"), std::optional<std::string>(std::to_string(tip - 999)));

  MineBobsBranch(tip - 2, node->Ch(tip - 2), 1);
  node->Sync();
  ASSERT_TRUE(node->db->GetName("bob.test").value().has_value());
  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Dump(*node->db), Dump(*fresh.db));

  // A branch from below the kept depth: the blocks that keep undo are taken back,
  // the first one below them is refused, and the blocks below stay.
  const auto undo_from = node->db->GetMeta("undo_from").value();
  ASSERT_TRUE(undo_from);
  chain.Fork(seen + 10);
  for (int i = 0; i < 1200; ++i) chain.Mine();
  EXPECT_THROW(node->Sync(), std::runtime_error);
  const uint32_t left = *node->db->LastBlock().value();
  EXPECT_EQ(std::to_string(left + 1), *undo_from);
  EXPECT_EQ(node->Ch(left), fresh.Ch(left));
}

TEST_F(EngineTest, RestartResumesFromTheLastBlock) {
  CreateNamespace("test", 0xffffffff);
  uint32_t last = *node->db->LastBlock().value();
  std::string dir = node->dir;
  node->scanner.reset();
  node->engine.reset();
  node->db.reset();
  node->db = std::move(*db::NameDb::Open(dir + "/names.db"));
  node->engine = std::make_unique<Engine>(*node->db, chain.rules);
  virtualchain::ScanOptions o;
  o.first_block = ChainFixture::FIRST;
  o.confirmations = 0;
  o.network = chain.rules.network;
  node->scanner = std::make_unique<virtualchain::Scanner>(chain.source, *node->engine, o);
  EXPECT_EQ(*node->db->LastBlock().value(), last);
  Register(alice, "alice.test");
  EXPECT_TRUE(node->db->GetName("alice.test").value().has_value());
}

TEST_F(EngineTest, AFundingTransactionIsFetchedOnce) {
  // alice's operations all spend outputs of her one funding transaction: it is
  // fetched for the first of them and taken from the scanner's cache afterwards,
  // within a block and across blocks, and every operation still gets its sender.
  CreateNamespace("f", 0xffffffff);
  const std::size_t before = chain.source.TransactionsFetched();
  auto preorder = [&](const std::string& name) {
    auto hash = *HashName(name, alice.script, alice.address);
    chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  };
  preorder("a.f");
  preorder("b.f");
  preorder("c.f");
  uint32_t h1 = MineAndSync();
  preorder("d.f");
  uint32_t h2 = MineAndSync();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(OpAt(h1, i).accepted) << OpAt(h1, i).reason;
    EXPECT_NE(OpAt(h1, i).senders.find(alice.script_hex), std::string::npos);
  }
  EXPECT_TRUE(OpAt(h2).accepted) << OpAt(h2).reason;
  EXPECT_NE(OpAt(h2).senders.find(alice.script_hex), std::string::npos);
  // One fetch for the four at most (none when an earlier block already brought
  // alice's funding transaction into the cache); without the cache, four.
  EXPECT_LE(chain.source.TransactionsFetched() - before, 1u);
}

// Far behind the tip the scanner tells the engine it is catching up, and the name
// database leaves out its index of zone-file hashes (lookups answer Unavailable);
// at the tip the index is built again and finds every hash, old and new.
TEST_F(EngineTest, CatchingUpLeavesOutTheZonefileHashIndexUntilTheTip) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(0xa1));
  ASSERT_TRUE(*node->db->IsValueHashKnown(H160(0xa1).Hex()));
  // Five blocks the node has not seen, the last with bob's registration.
  for (int i = 0; i < 3; ++i) chain.Mine();
  auto hash = *HashName("bob.test", bob.script, bob.address);
  chain.Op(bob, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  chain.Mine();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "bob.test", H160(0xb2)), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  const uint32_t tip = chain.Mine();

  struct Recording final : virtualchain::StateEngine {
    Engine& inner;
    db::NameDb& db;
    std::vector<bool> told;
    std::vector<bool> index_missing;  // per block processed
    Recording(Engine& e, db::NameDb& d) : inner(e), db(d) {}
    util::Result<std::optional<uint32_t>> LastBlock() override { return inner.LastBlock(); }
    util::Result<std::optional<util::Hash256>> StoredBlockHash(uint32_t h) override { return inner.StoredBlockHash(h); }
    util::Status ProcessBlock(uint32_t h, const util::Hash256& hash, const std::vector<virtualchain::FilteredTx>& txs) override {
      auto known = db.IsValueHashKnown(H160(0xa1).Hex());
      index_missing.push_back(!known && known.error().code == util::ErrorCode::Unavailable);
      return inner.ProcessBlock(h, hash, txs);
    }
    util::Status UndoBlock(uint32_t h) override { return inner.UndoBlock(h); }
    util::Status SetCatchingUp(bool catching_up) override {
      told.push_back(catching_up);
      return inner.SetCatchingUp(catching_up);
    }
  } recording(*node->engine, *node->db);
  virtualchain::ScanOptions o;
  o.first_block = ChainFixture::FIRST;
  o.confirmations = 0;
  o.network = chain.rules.network;
  o.catch_up_blocks = 3;
  o.batch_blocks = 1;
  virtualchain::Scanner scanner(chain.source, recording, o);
  std::atomic<bool> stop{false};
  auto last = scanner.CatchUp(stop);
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(**last, tip);
  // Told once, with more than 3 blocks left, then told it reached the tip.
  EXPECT_EQ(recording.told, (std::vector<bool>{true, false}));
  EXPECT_EQ(recording.index_missing, (std::vector<bool>{true, true, true, true, true}));
  Expect(tip, "bob's registration");
  EXPECT_TRUE(*node->db->IsValueHashKnown(H160(0xa1).Hex()));
  EXPECT_TRUE(*node->db->IsValueHashKnown(H160(0xb2).Hex()));
  EXPECT_EQ(*node->db->HistoryIdsWithValueHash(H160(0xb2).Hex()), std::vector<std::string>{"bob.test"});
  EXPECT_FALSE(*node->db->IsValueHashKnown(H160(0xc3).Hex()));
}

TEST_F(EngineTest, GarbagePayloadsAreNotOperations) {
  for (const char* junk : {"id?", "id:", "id&\x01", "id!", "id>x", "idZ0000"}) {
    chain.Op(alice, util::ToBytes(junk), {chain.Pay(alice, 5000)});
  }
  chain.Op(alice, util::ToBytes("xx?" + std::string(36, 'a')), {chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_TRUE(node->db->OpsAt(h)->empty());
}

}  // namespace
}  // namespace blockstack::bns
