#include <bitcoin/rpc/block_file.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <bitcoin/script.h>

#include "testutil/vectors.h"

namespace blockstack::bitcoin::rpc {
namespace {

class BlockFileTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testutil::MakeTempDir("blockfile"); }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  // A chain of n blocks; block i's coinbase pays i satoshis, and from block 1 on a
  // second transaction spends the previous block's coinbase.
  std::vector<Block> MakeChain(int n) {
    std::vector<Block> out;
    Hash256 prev;
    for (int i = 0; i < n; ++i) {
      Block b;
      b.header.prev_hash = prev;
      b.header.time = 1000 + static_cast<uint32_t>(i);
      Transaction cb;
      TxIn in;
      in.prevout.index = 0xffffffff;
      in.script_sig = {0x01, static_cast<uint8_t>(i)};
      cb.inputs.push_back(in);
      cb.outputs.push_back({i, MakeP2pkhScript(util::Hash160{})});
      b.txs.push_back(cb);
      if (i > 0) {
        Transaction spend;
        TxIn sin;
        sin.prevout.txid = out.back().txids[0];
        spend.inputs.push_back(sin);
        spend.outputs.push_back({0, *MakeOpReturnScript(util::AsBytes("id?x"))});
        b.txs.push_back(spend);
      }
      b.Finalize();
      b.header.merkle_root = ComputeMerkleRoot(b.txids);
      b.Finalize();
      prev = b.hash;
      out.push_back(b);
    }
    return out;
  }

  // Writes the chain to a block file starting at `first` and returns its path.
  std::string WriteChain(const std::vector<Block>& chain, uint32_t first, const std::string& name = "chain.blk") {
    std::string path = m_dir + "/" + name;
    auto w = BlockFileWriter::Create(path, first);
    EXPECT_TRUE(w);
    for (const auto& b : chain) EXPECT_TRUE(w->Append(b));
    EXPECT_TRUE(w->Close());
    return path;
  }

  std::string m_dir;
};

// Blocks are read in order and the pages behind are given back; a block or a
// transaction read again afterwards (a funding lookup) still comes back whole.
TEST_F(BlockFileTest, ServesOldBlocksAfterGivingTheirPagesBack) {
  auto chain = MakeChain(200);
  // About 100 KB per block (a padded coinbase), 20 MB in all: past the walk's and
  // the reader's release steps.
  for (auto& b : chain) {
    b.txs[0].inputs[0].script_sig.resize(100000, 0x51);
    b.Finalize();
    b.header.merkle_root = ComputeMerkleRoot(b.txids);
    b.Finalize();
  }
  std::string path = WriteChain(chain, 0, "big.blk");
  auto src = BlockFileSource::Open(path);
  ASSERT_TRUE(src) << src.error().ToString();
  for (uint32_t h = 0; h < 200; ++h) {
    auto b = (*src)->GetBlock(h);
    ASSERT_TRUE(b) << h;
    ASSERT_EQ(b->hash, chain[h].hash);
  }
  auto again = (*src)->GetBlock(3);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->txids, chain[3].txids);
  std::vector<Hash256> want{chain[1].txids[0], chain[150].txids[1]};
  auto txs = (*src)->GetTransactions(want);
  ASSERT_TRUE(txs) << txs.error().ToString();
  ASSERT_EQ(txs->size(), 2u);
  EXPECT_EQ((*txs)[0].ComputeTxid(), chain[1].txids[0]);
  EXPECT_EQ((*txs)[1].ComputeTxid(), chain[150].txids[1]);
}

TEST_F(BlockFileTest, WritesAndServesBlocks) {
  auto chain = MakeChain(5);
  std::string path = WriteChain(chain, 100);

  auto src = BlockFileSource::Open(path);
  ASSERT_TRUE(src) << src.error().ToString();
  EXPECT_EQ(*(*src)->TipHeight(), 104u);
  EXPECT_EQ(*(*src)->BlockHash(102), chain[2].hash);
  auto b = (*src)->GetBlock(103);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->txids, chain[3].txids);
  auto blocks = (*src)->GetBlocks(100, 5);
  ASSERT_TRUE(blocks);
  EXPECT_EQ(blocks->size(), 5u);
  EXPECT_EQ((*blocks)[4].header.prev_hash, chain[3].hash);

  EXPECT_EQ((*src)->GetBlock(99).error().code, util::ErrorCode::NotFound);
  EXPECT_EQ((*src)->GetBlock(105).error().code, util::ErrorCode::NotFound);

  std::vector<Hash256> want{chain[4].txids[1], chain[0].txids[0]};
  auto txs = (*src)->GetTransactions(want);
  ASSERT_TRUE(txs);
  EXPECT_EQ((*txs)[0].ComputeTxid(), want[0]);
  EXPECT_EQ((*txs)[1].outputs[0].value, 0);
  Hash256 unknown;
  unknown[0] = 0x42;
  auto missing = (*src)->GetTransactions(std::vector<Hash256>{unknown});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, util::ErrorCode::NotFound);
}

TEST_F(BlockFileTest, TruncatedFileIsRefused) {
  auto chain = MakeChain(2);
  std::string path = WriteChain(chain, 0);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  auto src = BlockFileSource::Open(path);
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, util::ErrorCode::Corruption);
}

TEST_F(BlockFileTest, WrongMagicAndMissingFile) {
  std::string path = m_dir + "/bad.blk";
  std::ofstream(path) << "NOTBLOCKSxxxxxxxxxxxxx";
  auto src = BlockFileSource::Open(path);
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code, util::ErrorCode::Corruption);
  auto none = BlockFileSource::Open(m_dir + "/none.blk");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, util::ErrorCode::IoError);
}

TEST_F(BlockFileTest, CorruptBlockIsReportedOnRead) {
  auto chain = MakeChain(2);
  chain[1].txs[1].lock_time = 7;  // contents no longer match the merkle root
  std::string path = m_dir + "/chain.blk";
  auto w = BlockFileWriter::Create(path, 0);
  for (const auto& b : chain) ASSERT_TRUE(w->Append(SerializeBlock(b)));
  ASSERT_TRUE(w->Close());
  auto src = BlockFileSource::Open(path);
  ASSERT_TRUE(src);
  auto b = (*src)->GetBlock(1);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, util::ErrorCode::Corruption);
}

}  // namespace
}  // namespace blockstack::bitcoin::rpc
