// The scanner's catch-up: blocks are fetched and filtered on a thread of their own
// ahead of the engine. These tests hold it to the same results as block-by-block
// indexing when the chain reorganises under it, when the source fails part way,
// when it is stopped, and bound how far ahead it reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "../bns/chain_fixture.h"

namespace blockstack {
namespace {

using testutil::ChainFixture;
using testutil::H160;
using testutil::MAGIC;
using testutil::Node;

// Serves `inner`, with hooks: blocks swapped in by height, a height whose fetch
// fails, and the highest height fetched.
class HookedSource final : public bitcoin::BlockSource {
 public:
  explicit HookedSource(bitcoin::BlockSource& inner) : m_inner(inner) {}

  util::Result<uint32_t> TipHeight() override { return m_inner.TipHeight(); }
  util::Result<util::Hash256> BlockHash(uint32_t h) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (auto it = m_shown.find(h); it != m_shown.end()) return it->second.hash;
    return m_inner.BlockHash(h);
  }
  util::Result<bitcoin::Block> GetBlock(uint32_t h) override {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_highest_fetched = std::max(m_highest_fetched, h);
      if (fail_at && h == *fail_at) return util::Fail(util::ErrorCode::Unavailable, "the node went away");
      // Fetching above the fork shows the source's own branch from then on.
      if (switch_above && h > *switch_above) m_shown.clear();
    }
    return m_inner.GetBlock(h);
  }
  util::Result<std::vector<bitcoin::Transaction>> GetTransactions(std::span<const util::Hash256> ids) override {
    return m_inner.GetTransactions(ids);
  }

  // Until a block above `fork` is fetched, BlockHash answers with these blocks'
  // hashes: the chain reorganises between the scanner's check of its last block
  // and its first fetch.
  void ShowUntilFetchAbove(uint32_t fork, std::map<uint32_t, bitcoin::Block> blocks) {
    std::lock_guard<std::mutex> lock(m_mutex);
    switch_above = fork;
    m_shown = std::move(blocks);
  }

  uint32_t HighestFetched() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_highest_fetched;
  }

  // Set before a scan starts.
  std::optional<uint32_t> fail_at;
  std::optional<uint32_t> switch_above;

 private:
  uint32_t m_highest_fetched = 0;
  bitcoin::BlockSource& m_inner;
  std::mutex m_mutex;
  std::map<uint32_t, bitcoin::Block> m_shown;
};

class ScannerTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  // A node over `source` that reads `batch` blocks per fetch and keeps at most
  // `ahead` filtered blocks waiting.
  std::unique_ptr<Node> NodeOver(bitcoin::BlockSource& source, uint32_t batch, uint32_t ahead) {
    auto n = std::make_unique<Node>(source, chain.rules);
    n->scanner = std::make_unique<virtualchain::Scanner>(source, *n->engine, Options(batch, ahead));
    return n;
  }

  virtualchain::ScanOptions Options(uint32_t batch, uint32_t ahead) {
    virtualchain::ScanOptions o;
    o.first_block = chain.rules.first_block;
    o.confirmations = 0;
    o.network = chain.rules.network;
    o.batch_blocks = batch;
    o.prefetch_blocks = ahead;
    return o;
  }

  // Consensus hashes of every block a node holds.
  static std::vector<std::string> Hashes(Node& n) {
    std::vector<std::string> out;
    auto last = n.db->LastBlock();
    for (uint32_t h = ChainFixture::FIRST; last && *last && h <= **last; ++h) out.push_back(n.Ch(h));
    return out;
  }

  // `count` names, each preordered and registered in blocks of their own.
  void MineNames(int count) {
    for (int i = 0; i < count; ++i) {
      const std::string name = "n" + std::to_string(i) + ".test";
      auto hash = *bns::HashName(name, alice.script, alice.address);
      chain.Op(alice, bns::ops::BuildNamePreorder(MAGIC, hash, LastCh()),
               {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
      MineAndSync();
      chain.Op(alice, bns::ops::BuildRegistration(MAGIC, name, H160(static_cast<uint8_t>(i + 1))),
               {chain.Pay(alice, 5500), chain.Pay(alice, 5000)});
      MineAndSync();
    }
  }
};

TEST_F(ScannerTest, ABranchFoundPartWayUndoesToTheForkAndIndexesTheNewBranch) {
  CreateNamespace("test", 0xffffffff);
  const uint32_t fork = *node->db->LastBlock().value();
  const std::string ch_at_fork = LastCh();
  // Branch A: alice registers a name; a node indexes it.
  Register(alice, "alice.test", H160(1));
  const uint32_t a_tip = MineAndSync();
  std::map<uint32_t, bitcoin::Block> branch_a;
  for (uint32_t h = fork + 1; h <= a_tip; ++h) branch_a[h] = *chain.source.GetBlock(h);
  HookedSource source(chain.source);
  auto follower = NodeOver(source, 1, 2);
  follower->Sync();
  ASSERT_EQ(*follower->db->LastBlock().value(), a_tip);

  // Branch B from the fork, longer, with bob's name instead.
  chain.Fork(fork);
  auto hash = *bns::HashName("bob.test", bob.script, bob.address);
  chain.Op(bob, bns::ops::BuildNamePreorder(MAGIC, hash, ch_at_fork),
           {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  chain.Mine();
  chain.Op(bob, bns::ops::BuildRegistration(MAGIC, "bob.test", H160(2)), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  for (int i = 0; i < 6; ++i) chain.Mine();

  // The follower's check of its last block still sees branch A; its first fetch
  // (block a_tip + 1) brings branch B, whose parent is not the stored block.
  source.ShowUntilFetchAbove(a_tip, branch_a);
  follower->Sync();
  EXPECT_FALSE(follower->db->GetName("alice.test").value().has_value());
  EXPECT_TRUE(follower->db->GetName("bob.test").value().has_value());
  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Hashes(*follower), Hashes(fresh));
  EXPECT_EQ(*follower->db->LastBlock().value(), *chain.source.TipHeight());
}

TEST_F(ScannerTest, ASourceFailurePartWayKeepsTheBlocksBeforeItAndResumes) {
  CreateNamespace("test", 0xffffffff);
  MineNames(5);
  const uint32_t tip = *chain.source.TipHeight();
  HookedSource source(chain.source);
  source.fail_at = tip - 4;
  auto follower = NodeOver(source, 3, 4);
  std::atomic<bool> stop{false};
  auto r = follower->scanner->CatchUp(stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("went away"), std::string::npos);
  // Everything below the failed block, nothing from it on.
  EXPECT_EQ(*follower->db->LastBlock().value(), tip - 5);

  source.fail_at.reset();
  follower->Sync();
  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Hashes(*follower), Hashes(fresh));
}

// Stops the scan after `after` blocks; on the first block, waits until the
// reader has filled its queue and rests, and records how far it read.
struct Pausing final : virtualchain::StateEngine {
  bns::db::Engine& inner;
  HookedSource& source;
  std::atomic<bool>& stop;
  uint32_t after;
  uint32_t processed = 0;
  uint32_t first = 0;
  uint32_t read_while_first_waited = 0;
  Pausing(bns::db::Engine& e, HookedSource& s, std::atomic<bool>& st, uint32_t n)
      : inner(e), source(s), stop(st), after(n) {}
  util::Result<std::optional<uint32_t>> LastBlock() override { return inner.LastBlock(); }
  util::Result<std::optional<util::Hash256>> StoredBlockHash(uint32_t h) override { return inner.StoredBlockHash(h); }
  util::Status ProcessBlock(uint32_t h, const util::Hash256& hash,
                            const std::vector<virtualchain::FilteredTx>& txs) override {
    if (processed == 0) {
      first = h;
      read_while_first_waited = WaitUntilTheReaderRests();
    }
    if (++processed == after) stop = true;
    return inner.ProcessBlock(h, hash, txs);
  }
  util::Status UndoBlock(uint32_t h) override { return inner.UndoBlock(h); }

  // Polls the highest block fetched until it has not moved for 100 ms (the
  // reader is blocked on a full queue), or for at most 10 s; returns it.
  uint32_t WaitUntilTheReaderRests() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    uint32_t seen = source.HighestFetched();
    int still = 0;
    while (still < 5 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const uint32_t now = source.HighestFetched();
      still = now == seen ? still + 1 : 0;
      seen = now;
    }
    return seen;
  }
};

TEST_F(ScannerTest, ReadsAtMostTheQueueAheadOfTheEngine) {
  CreateNamespace("test", 0xffffffff);
  MineNames(10);
  HookedSource source(chain.source);
  Node follower(source, chain.rules);
  std::atomic<bool> stop{false};
  Pausing engine(*follower.engine, source, stop, 1000);
  virtualchain::Scanner scanner(source, engine, Options(2, 3));
  auto r = scanner.CatchUp(stop);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(**r, *chain.source.TipHeight());
  // One block taken, three waiting, and one fetched batch of two held back.
  EXPECT_GE(engine.read_while_first_waited, engine.first + 3);
  EXPECT_LE(engine.read_while_first_waited, engine.first + 1 + 3 + 2);
}

TEST_F(ScannerTest, AStopEndsTheCatchUpBetweenBlocks) {
  CreateNamespace("test", 0xffffffff);
  MineNames(10);
  HookedSource source(chain.source);
  Node follower(source, chain.rules);
  std::atomic<bool> stop{false};
  Pausing engine(*follower.engine, source, stop, 4);
  virtualchain::Scanner scanner(source, engine, Options(1, 1));
  auto r = scanner.CatchUp(stop);
  ASSERT_TRUE(r) << r.error().message;
  // The fourth block from the start is the last: the reader, blocked on a full
  // queue, was let go.
  EXPECT_EQ(**r, chain.rules.first_block + 3);
  EXPECT_LT(**r, *chain.source.TipHeight());
  // The rest follows on the next catch-up, the same as a node that never stopped.
  stop = false;
  engine.after = 1000000;
  ASSERT_TRUE(scanner.CatchUp(stop));
  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Hashes(follower), Hashes(fresh));
}

// The engine's preparation runs on the reading thread, and each block reaches
// processing with what was prepared for it.
TEST_F(ScannerTest, BlocksArePreparedOnTheReadingThread) {
  CreateNamespace("test", 0xffffffff);
  MineNames(3);
  struct Watching final : virtualchain::StateEngine {
    bns::db::Engine& inner;
    mutable std::mutex mutex;
    mutable std::map<uint32_t, std::thread::id> prepared_on;              // guarded by mutex
    mutable std::map<uint32_t, const virtualchain::PreparedBlock*> made;  // guarded by mutex
    uint32_t processed = 0;
    uint32_t mismatched = 0;
    explicit Watching(bns::db::Engine& e) : inner(e) {}
    util::Result<std::optional<uint32_t>> LastBlock() override { return inner.LastBlock(); }
    util::Result<std::optional<util::Hash256>> StoredBlockHash(uint32_t h) override { return inner.StoredBlockHash(h); }
    util::Status ProcessBlock(uint32_t, const util::Hash256&, const std::vector<virtualchain::FilteredTx>&) override {
      return util::Fail(util::ErrorCode::Conflict, "the scanner processes prepared blocks");
    }
    std::unique_ptr<virtualchain::PreparedBlock> PrepareBlock(
        uint32_t h, const std::vector<virtualchain::FilteredTx>& txs) const override {
      auto p = inner.PrepareBlock(h, txs);
      std::lock_guard<std::mutex> lock(mutex);
      prepared_on[h] = std::this_thread::get_id();
      made[h] = p.get();
      return p;
    }
    util::Status ProcessPreparedBlock(uint32_t h, const util::Hash256& hash,
                                      const std::vector<virtualchain::FilteredTx>& txs,
                                      std::unique_ptr<virtualchain::PreparedBlock> p) override {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (p == nullptr || made[h] != p.get() || prepared_on[h] == std::this_thread::get_id()) ++mismatched;
      }
      ++processed;
      return inner.ProcessPreparedBlock(h, hash, txs, std::move(p));
    }
    util::Status UndoBlock(uint32_t h) override { return inner.UndoBlock(h); }
  };
  Node follower(chain.source, chain.rules);
  Watching engine(*follower.engine);
  virtualchain::Scanner scanner(chain.source, engine, Options(2, 3));
  std::atomic<bool> stop{false};
  auto r = scanner.CatchUp(stop);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(engine.processed, *chain.source.TipHeight() - chain.rules.first_block + 1);
  EXPECT_EQ(engine.mismatched, 0u);
  EXPECT_EQ(Hashes(follower), Hashes(*node));
}

}  // namespace
}  // namespace blockstack
