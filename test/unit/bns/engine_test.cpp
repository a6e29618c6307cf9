#include <bns/engine.h>

#include <gtest/gtest.h>

#include <bns/names.h>
#include <bns/ops/ops.h>

#include "chain_fixture.h"

namespace blockstack::bns {
namespace {

using testutil::ChainFixture;
using testutil::Node;
using testutil::Wallet;

constexpr const char* MAGIC = "id";

util::Hash160 H160(uint8_t fill) {
  util::Hash160 h;
  h.data.fill(fill);
  return h;
}

// A namespace with cheap names: coeff 1, base 2, every bucket 1, so a name costs
// 2 * 100 = 200 satoshis (x0.1 in epoch 3 = 20, floored at the unit: 100 * 0.1 = 10).
ops::RevealOp CheapNamespace(const std::string& id, uint32_t lifetime) {
  ops::RevealOp r;
  r.namespace_id = id;
  r.lifetime = lifetime;
  r.coeff = 1;
  r.base = 2;
  r.buckets.fill(1);
  r.nonalpha_discount = 1;
  r.no_vowel_discount = 1;
  r.version = 1;
  return r;
}

class EngineTest : public ::testing::Test {
 protected:
  explicit EngineTest(EpochSchedule epochs = EpochSchedule::Single(3)) : chain(std::move(epochs)) {}

  void SetUp() override {
    creator = chain.NewWallet();
    alice = chain.NewWallet();
    bob = chain.NewWallet();
    chain.Mine();  // block 100: funding
    node = std::make_unique<Node>(chain.source, chain.rules);
    node->Sync();
  }

  uint32_t MineAndSync() {
    uint32_t h = chain.Mine();
    node->Sync();
    return h;
  }

  std::string LastCh() { return node->Ch(*node->db->LastBlock().value()); }

  db::OpRow OpAt(uint32_t height, std::size_t i = 0) {
    auto ops = node->db->OpsAt(height);
    EXPECT_TRUE(ops);
    EXPECT_GT(ops->size(), i);
    return ops->size() > i ? (*ops)[i] : db::OpRow{};
  }

  // namespace preorder -> reveal -> ready for `id`.
  void CreateNamespace(const std::string& id, uint32_t lifetime, bool ready = true) {
    auto hash = *HashName(id, creator.script, creator.address);
    chain.Op(creator, ops::BuildNamespacePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(creator, 5000), chain.Pay(chain.rules.BurnAddress(), 4100000000)});
    uint32_t h = MineAndSync();
    ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
    chain.Op(creator, ops::BuildReveal(MAGIC, CheapNamespace(id, lifetime)),
             {chain.Pay(creator, 5500), chain.Pay(creator, 5000)});
    h = MineAndSync();
    ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
    if (!ready) return;
    chain.Op(creator, ops::BuildReady(MAGIC, id), {chain.Pay(creator, 5000)});
    h = MineAndSync();
    ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  }

  // preorder + register `fqn` for `who` (paying `fee`), with an optional zone-file hash.
  uint32_t Register(const Wallet& who, const std::string& fqn, std::optional<util::Hash160> zh = std::nullopt,
                    int64_t fee = 100000) {
    auto hash = *HashName(fqn, who.script, who.address);
    chain.Op(who, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(who, 5000), chain.Pay(chain.rules.BurnAddress(), fee)});
    MineAndSync();
    chain.Op(who, ops::BuildRegistration(MAGIC, fqn, zh), {chain.Pay(who, 5500), chain.Pay(who, 5000)});
    return MineAndSync();
  }

  ChainFixture chain;
  Wallet creator, alice, bob;
  std::unique_ptr<Node> node;
};

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

TEST_F(EngineTest, RegistrationRules) {
  CreateNamespace("test", 0xffffffff);
  // no preorder
  chain.Op(bob, ops::BuildRegistration(MAGIC, "nopre.test", std::nullopt), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("no preorder"), std::string::npos);

  // fee too low (a 1-char name costs more): coeff 1 base 2 bucket 1 -> 200 * 0.1 = 20; pay 9
  h = Register(alice, "x.test", std::nullopt, 9);
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("costs"), std::string::npos);

  // registering someone else's preorder fails: the hash binds sender and recipient
  auto hash = *HashName("carol.test", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  MineAndSync();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "carol.test", std::nullopt), {chain.Pay(alice, 5500), chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // the same name preordered twice is refused
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("already preordered"), std::string::npos);

  // a bad consensus hash is refused
  auto hash2 = *HashName("dave.test", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash2, std::string(32, 'f')),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("consensus hash"), std::string::npos);

  // an already registered name cannot be registered again
  h = Register(alice, "eve.test");
  ASSERT_TRUE(OpAt(h).accepted);
  h = Register(bob, "eve.test");
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("already registered"), std::string::npos);
}

TEST_F(EngineTest, CollidingRegistrationsInOneBlockAreAllRejected) {
  CreateNamespace("test", 0xffffffff);
  for (const Wallet* w : {&alice, &bob}) {
    auto hash = *HashName("same.test", w->script, w->address);
    chain.Op(*w, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(*w, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  }
  MineAndSync();
  for (const Wallet* w : {&alice, &bob}) {
    chain.Op(*w, ops::BuildRegistration(MAGIC, "same.test", std::nullopt), {chain.Pay(*w, 5500), chain.Pay(*w, 5000)});
  }
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h, 0).accepted);
  EXPECT_FALSE(OpAt(h, 1).accepted);
  EXPECT_FALSE(node->db->GetName("same.test").value().has_value());
}

TEST_F(EngineTest, NamespaceNotReadyRefusesRegistrationButAllowsImport) {
  CreateNamespace("imp", 0xffffffff, /*ready=*/false);
  // import from the revealer: recipient bob, zone-file hash in output 2
  chain.Op(creator, ops::BuildImport(MAGIC, "bobby.imp"),
           {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(0x11))}});
  uint32_t h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  auto rec = node->db->GetName("bobby.imp");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->value_hash, H160(0x11).Hex());
  EXPECT_EQ((*rec)->address, bob.address);
  EXPECT_TRUE(std::holds_alternative<double>((*rec)->op_fee));

  // an import from a key outside the keyring is refused
  chain.Op(alice, ops::BuildImport(MAGIC, "evil.imp"), {chain.Pay(alice, 5500), {5500, bitcoin::MakeP2pkhScript(H160(1))}});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // registration before ready is refused
  h = Register(alice, "early.imp");
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("not ready"), std::string::npos);

  // ready; then imports are closed
  chain.Op(creator, ops::BuildReady(MAGIC, "imp"), {chain.Pay(creator, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted);
  chain.Op(creator, ops::BuildImport(MAGIC, "late.imp"), {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(2))}});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
}

TEST_F(EngineTest, ImportKeyringChildrenMayImport) {
  CreateNamespace("kr", 0xffffffff, /*ready=*/false);
  chain.Op(creator, ops::BuildImport(MAGIC, "first.kr"), {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(3))}});
  uint32_t h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  auto ring = ops::ImportKeyring(creator.key.GetPublicKey(), 300, chain.rules.Net());
  EXPECT_EQ(ring.size(), 302u);
  EXPECT_EQ(ring[0], creator.address);
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
  for (const auto& n : *names) out += ops::RecordJson(n) + "\n";
  auto namespaces = db.AllNamespaces();
  for (const auto& n : *namespaces) out += ops::RecordJson(n) + "\n";
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

  // branch B from the fork point: bob registers a different name, and one more block
  chain.Fork(fork);
  auto hash = *HashName("bob.test", bob.script, bob.address);
  chain.Op(bob, ops::BuildNamePreorder(MAGIC, hash, ch_at_fork),
           {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  chain.Mine();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "bob.test", H160(2)), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  chain.Mine();
  chain.Mine();
  chain.Mine();
  node->Sync();
  EXPECT_FALSE(node->db->GetName("alice.test").value().has_value());
  ASSERT_TRUE(node->db->GetName("bob.test").value().has_value());

  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Dump(*node->db), Dump(*fresh.db));
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

// Expiry and re-registration in epoch 2 (no grace period).
class ExpiryTest : public EngineTest {
 protected:
  ExpiryTest() : EngineTest(EpochSchedule::Single(2)) {}
};

TEST_F(ExpiryTest, ExpiredNameCanBeRegisteredBySomeoneElse) {
  CreateNamespace("exp", 5);  // 5 blocks x multiplier 2 = 10 blocks
  uint32_t h = Register(alice, "short.exp");
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  // still registered: nobody else can take it (the creator tries; bob's own preorder
  // stays unused, since an unconsumed preorder hash can never be preordered again)
  uint32_t h2 = Register(creator, "short.exp");
  EXPECT_FALSE(OpAt(h2).accepted);
  for (int i = 0; i < 10; ++i) MineAndSync();
  // expired now: updates are refused, bob can register it
  chain.Op(alice, ops::BuildUpdate(MAGIC, "short.exp", LastCh(), H160(9)), {chain.Pay(alice, 5000)});
  uint32_t hu = MineAndSync();
  EXPECT_FALSE(OpAt(hu).accepted);
  uint32_t h3 = Register(bob, "short.exp");
  ASSERT_TRUE(OpAt(h3).accepted) << OpAt(h3).reason;
  auto rec = node->db->GetName("short.exp");
  EXPECT_EQ((*rec)->address, bob.address);
  EXPECT_EQ((*rec)->first_registered, h3);
  // the state at the first registration's height is still alice's
  auto past = node->db->GetNameAt("short.exp", h);
  ASSERT_TRUE(past && *past);
  EXPECT_EQ((*past)->address, alice.address);
}

}  // namespace
}  // namespace blockstack::bns
