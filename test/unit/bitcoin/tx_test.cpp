#include <bitcoin/tx.h>

#include <gtest/gtest.h>

#include <bitcoin/script.h>

#include "testutil/vectors.h"

namespace blockstack::bitcoin {
namespace {

TEST(TxTest, ParsesBnsVectorTransaction) {
  auto v = testutil::LoadVectors("bns/transactions.json")["vectors"][0];
  std::string hex = v["raw_tx_hex"];
  Hash256 txid;
  auto tx = ParseTransactionHex(hex, &txid);
  ASSERT_TRUE(tx) << tx.error().ToString();
  EXPECT_EQ(txid.ReversedHex(), v["txid"]);
  EXPECT_EQ(tx->ComputeTxid(), txid);
  ASSERT_EQ(tx->outputs.size(), v["expected"]["outputs"].size());
  for (std::size_t i = 0; i < tx->outputs.size(); ++i) {
    EXPECT_EQ(tx->outputs[i].value, v["expected"]["outputs"][i]["value"].get<int64_t>());
    EXPECT_EQ(util::ToHex(tx->outputs[i].script_pubkey), v["expected"]["outputs"][i]["script"]);
  }
  EXPECT_FALSE(tx->HasWitness());
  EXPECT_EQ(util::ToHex(SerializeTransaction(*tx)), hex);
}

Transaction SegwitTx() {
  Transaction tx;
  tx.version = 2;
  TxIn in;
  in.prevout.txid[0] = 7;
  in.prevout.index = 1;
  in.sequence = 0xfffffffd;
  in.witness = {util::Bytes(71, 0x30), util::Bytes(33, 0x02)};
  tx.inputs.push_back(in);
  TxIn in2;
  in2.prevout.txid[0] = 8;
  in2.script_sig = {0x01, 0x02};
  tx.inputs.push_back(in2);
  tx.outputs.push_back({1000, util::Bytes{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}});
  tx.lock_time = 500000;
  return tx;
}

TEST(TxTest, SegwitTxidExcludesWitness) {
  Transaction tx = SegwitTx();
  auto raw = SerializeTransaction(tx, true);
  auto stripped = SerializeTransaction(tx, false);
  EXPECT_GT(raw.size(), stripped.size());
  EXPECT_EQ(raw[4], 0x00);
  EXPECT_EQ(raw[5], 0x01);
  Hash256 txid;
  auto back = ParseTransaction(raw, &txid);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, tx);
  EXPECT_EQ(txid, tx.ComputeTxid());
  EXPECT_NE(txid, tx.ComputeWtxid());
  Hash256 txid2;
  ASSERT_TRUE(ParseTransaction(stripped, &txid2));
  EXPECT_EQ(txid2, txid);
}

TEST(TxTest, RejectsUnknownSegwitFlag) {
  auto raw = SerializeTransaction(SegwitTx(), true);
  raw[5] = 0x02;
  auto r = ParseTransaction(raw);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Corruption);
}

TEST(TxTest, RejectsSuperfluousWitness) {
  Transaction tx = SegwitTx();
  auto raw = SerializeTransaction(tx, true);
  // Rewrite the witness stacks as empty: marker and flag announce a witness that is not there.
  tx.inputs[0].witness.clear();
  auto stripped = SerializeTransaction(tx, false);
  util::Bytes fake(stripped.begin(), stripped.begin() + 4);
  fake.push_back(0x00);
  fake.push_back(0x01);
  fake.insert(fake.end(), stripped.begin() + 4, stripped.end() - 4);
  fake.push_back(0x00);
  fake.push_back(0x00);
  fake.insert(fake.end(), stripped.end() - 4, stripped.end());
  EXPECT_FALSE(ParseTransaction(fake));
}

TEST(TxTest, EveryTruncationFails) {
  auto raw = SerializeTransaction(SegwitTx(), true);
  for (std::size_t n = 0; n < raw.size(); ++n) {
    EXPECT_FALSE(ParseTransaction(util::ByteView(raw.data(), n))) << n;
  }
}

TEST(TxTest, RejectsTrailingBytes) {
  auto raw = SerializeTransaction(SegwitTx(), false);
  raw.push_back(0);
  auto r = ParseTransaction(raw);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("trailing"), std::string::npos);
}

TEST(TxTest, RejectsCountsLargerThanInput) {
  // version, then an input count of 2^24 with nothing behind it.
  util::Bytes raw{1, 0, 0, 0, 0xfe, 0, 0, 0, 1};
  auto r = ParseTransaction(raw);
  ASSERT_FALSE(r);
  // a compact size above 32 MiB
  util::Bytes raw2{1, 0, 0, 0, 0xff, 0, 0, 0, 0, 1, 0, 0, 0};
  auto r2 = ParseTransaction(raw2);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, util::ErrorCode::TooLarge);
}

TEST(TxTest, MalformedHexIsAnError) {
  EXPECT_FALSE(ParseTransactionHex("0100zz"));
  EXPECT_FALSE(ParseTransactionHex("010"));
}

TEST(TxTest, ZeroInputZeroOutputTransaction) {
  util::Bytes raw{1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  auto r = ParseTransaction(raw);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->inputs.empty());
  EXPECT_TRUE(r->outputs.empty());
}

}  // namespace
}  // namespace blockstack::bitcoin
