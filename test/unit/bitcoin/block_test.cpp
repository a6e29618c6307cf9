#include <bitcoin/block.h>

#include <gtest/gtest.h>

namespace blockstack::bitcoin {
namespace {

constexpr const char* GENESIS_HEX =
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc8"
    "1bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c01010000000100000000000000000000000000000000000000000000"
    "00000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c"
    "6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a0100000043"
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384d"
    "f7ba0b8d578a4c702b6bf11d5fac00000000";

TEST(BlockTest, ParsesMainnetGenesis) {
  auto block = ParseBlockHex(GENESIS_HEX);
  ASSERT_TRUE(block) << block.error().ToString();
  EXPECT_EQ(block->hash.ReversedHex(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  ASSERT_EQ(block->txs.size(), 1u);
  EXPECT_TRUE(block->txs[0].IsCoinbase());
  EXPECT_EQ(block->txids[0].ReversedHex(), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  EXPECT_EQ(block->txs[0].outputs[0].value, 5000000000);
  EXPECT_TRUE(CheckMerkleRoot(*block));
  EXPECT_EQ(util::ToHex(SerializeBlock(*block)), GENESIS_HEX);
}

TEST(BlockTest, RegtestGenesisHash) {
  auto block = ParseBlockHex(GENESIS_HEX);
  ASSERT_TRUE(block);
  block->header.time = 1296688602;
  block->header.bits = 0x207fffff;
  block->header.nonce = 2;
  EXPECT_EQ(block->header.ComputeHash().ReversedHex(),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
}

Block ThreeTxBlock() {
  auto genesis = *ParseBlockHex(GENESIS_HEX);
  Block b;
  b.header = genesis.header;
  for (int i = 0; i < 3; ++i) {
    Transaction tx = genesis.txs[0];
    tx.lock_time = static_cast<uint32_t>(i);
    b.txs.push_back(tx);
  }
  b.Finalize();
  b.header.merkle_root = ComputeMerkleRoot(b.txids);
  b.Finalize();
  return b;
}

TEST(BlockTest, MerkleRootOfOddCountDuplicatesLast) {
  Block b = ThreeTxBlock();
  std::vector<Hash256> four = b.txids;
  four.push_back(b.txids[2]);
  bool mutated = false;
  EXPECT_EQ(ComputeMerkleRoot(b.txids, &mutated), ComputeMerkleRoot(four));
  EXPECT_FALSE(mutated);
  EXPECT_TRUE(CheckMerkleRoot(b));
}

TEST(BlockTest, MerkleMismatchIsCorruption) {
  Block b = ThreeTxBlock();
  b.txs[1].lock_time = 99;
  b.Finalize();
  auto st = CheckMerkleRoot(b);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, util::ErrorCode::Corruption);
}

TEST(BlockTest, DuplicatedTransactionsAreRejected) {
  Block b = ThreeTxBlock();
  b.txs.push_back(b.txs[2]);  // same root as the 3-tx block: the CVE-2012-2459 trick
  b.Finalize();
  ASSERT_EQ(ComputeMerkleRoot(b.txids), b.header.merkle_root);
  EXPECT_FALSE(CheckMerkleRoot(b));
}

TEST(BlockTest, RoundTripThroughBytes) {
  Block b = ThreeTxBlock();
  auto raw = SerializeBlock(b);
  auto back = ParseBlock(raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->txids, b.txids);
  EXPECT_EQ(back->hash, b.hash);
}

TEST(BlockTest, RejectsTruncatedAndTrailing) {
  auto raw = *util::FromHex(GENESIS_HEX);
  for (std::size_t n : {std::size_t{0}, std::size_t{79}, std::size_t{80}, std::size_t{81}, raw.size() - 1}) {
    auto r = ParseBlock(util::ByteView(raw.data(), n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, util::ErrorCode::Corruption);
  }
  raw.push_back(0);
  EXPECT_FALSE(ParseBlock(raw));
}

TEST(BlockTest, RejectsHugeTransactionCount) {
  auto raw = *util::FromHex(GENESIS_HEX);
  raw.resize(80);
  raw.insert(raw.end(), {0xfe, 0xff, 0xff, 0xff, 0x01});
  auto r = ParseBlock(raw);
  ASSERT_FALSE(r);
}

TEST(BlockTest, EmptyMerkleIsZero) { EXPECT_TRUE(ComputeMerkleRoot({}).IsZero()); }

}  // namespace
}  // namespace blockstack::bitcoin
