// The in-memory block source the unit tests, the fuzz targets and chaingen share.
#include <bitcoin/memory_source.h>

#include <gtest/gtest.h>

namespace blockstack::bitcoin {
namespace {

// A block after prev holding one transaction paying 1000 + n (the source checks
// nothing of a block but its place).
Block MakeBlock(uint8_t n, const Hash256& prev) {
  Block b;
  b.header.prev_hash = prev;
  b.header.time = n;
  b.txs.emplace_back();
  b.txs[0].inputs.emplace_back();
  b.txs[0].inputs[0].prevout.txid[0] = n;
  b.txs[0].outputs.push_back({1000 + n, util::Bytes{0x51}});
  b.Finalize();
  return b;
}

TEST(MemoryBlockSourceTest, ServesBlocksAndTransactionsByHeightAndTxid) {
  MemoryBlockSource source(100);
  EXPECT_FALSE(source.TipHeight());
  auto a = MakeBlock(1, {});
  auto b = MakeBlock(2, a.hash);
  source.Add(a);
  source.Add(b);
  EXPECT_EQ(*source.TipHeight(), 101u);
  EXPECT_EQ(*source.BlockHash(100), a.hash);
  EXPECT_EQ(source.GetBlock(101)->hash, b.hash);
  EXPECT_EQ(source.GetBlock(102).error().code, util::ErrorCode::NotFound);
  EXPECT_EQ(source.GetBlock(99).error().code, util::ErrorCode::NotFound);
  auto txs = source.GetTransactions(std::vector<Hash256>{b.txids[0], a.txids[0]});
  ASSERT_TRUE(txs);
  EXPECT_EQ((*txs)[0].outputs[0].value, 1002);
  EXPECT_EQ((*txs)[1].outputs[0].value, 1001);
  EXPECT_EQ(source.TransactionsFetched(), 2u);
  EXPECT_EQ(source.GetTransactions(std::vector<Hash256>{Hash256{}}).error().code, util::ErrorCode::NotFound);
}

TEST(MemoryBlockSourceTest, TruncatingDropsTheBranchAndItsTransactions) {
  MemoryBlockSource source(0);
  auto a = MakeBlock(1, {});
  auto b = MakeBlock(2, a.hash);
  source.Add(a);
  source.Add(b);
  source.TruncateAbove(0);
  EXPECT_EQ(source.Size(), 1u);
  EXPECT_FALSE(source.GetTransactions(std::vector<Hash256>{b.txids[0]}));
  auto c = MakeBlock(3, a.hash);
  source.Add(c);
  EXPECT_EQ(*source.BlockHash(1), c.hash);
}

TEST(MemoryBlockSourceTest, ForgottenBlocksKeepTheirHashesAndTransactions) {
  MemoryBlockSource source(0);
  auto a = MakeBlock(1, {});
  source.Add(a);
  source.Add(MakeBlock(2, a.hash));
  source.ForgetBlocksBelow(1);
  EXPECT_EQ(*source.BlockHash(0), a.hash);
  EXPECT_EQ(source.GetBlock(0).error().code, util::ErrorCode::NotFound);
  EXPECT_TRUE(source.GetBlock(1));
  EXPECT_TRUE(source.GetTransactions(std::vector<Hash256>{a.txids[0]}));
}

}  // namespace
}  // namespace blockstack::bitcoin
