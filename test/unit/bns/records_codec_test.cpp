#include <bns/records_codec.h>

#include <gtest/gtest.h>

#include <bns/records_json.h>

#include "record_samples.h"

namespace blockstack::bns {
namespace {

using test_samples::NameCases;
using test_samples::Preorder;
using test_samples::PreorderCases;
using test_samples::Registered;

TEST(RecordsCodecTest, NameRecordsComeBackExactlyAndRenderAsTheirJson) {
  for (const auto& r : NameCases()) {
    const std::string stored = EncodeNameRecord(r);
    auto back = DecodeNameRecord(stored);
    ASSERT_TRUE(back) << back.error().message << " " << ToJson(r).dump();
    EXPECT_EQ(*back, r) << ToJson(r).dump();
    auto json = StoredRecordJson(stored);
    ASSERT_TRUE(json);
    EXPECT_EQ(*json, NameRecordJsonText(r));
  }
}

TEST(RecordsCodecTest, PreorderRecordsComeBackExactly) {
  for (const auto& p : PreorderCases()) {
    const std::string stored = EncodePreorderRecord(p);
    auto back = DecodePreorderRecord(stored);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, p);
    EXPECT_EQ(*StoredRecordJson(stored), PreorderRecordJsonText(p));
  }
}

// The point of the form: a registered name's record in well under half its JSON.
TEST(RecordsCodecTest, TheCompactFormIsUnderHalfTheJson) {
  const NameRecord r = Registered();
  EXPECT_LT(EncodeNameRecord(r).size() * 2, NameRecordJsonText(r).size())
      << EncodeNameRecord(r).size() << " vs " << NameRecordJsonText(r).size();
  const PreorderRecord p = Preorder();
  EXPECT_LT(EncodePreorderRecord(p).size() * 2, PreorderRecordJsonText(p).size());
}

// Rows written before the compact form hold JSON: read as they are.
TEST(RecordsCodecTest, JsonRowsAreReadAsBefore) {
  const NameRecord r = Registered();
  const std::string json = NameRecordJsonText(r);
  EXPECT_EQ(*DecodeNameRecord(json), r);
  EXPECT_EQ(*StoredRecordJson(json), json);
  const PreorderRecord p = Preorder();
  EXPECT_EQ(*DecodePreorderRecord(PreorderRecordJsonText(p)), p);
  NamespaceRecord ns;
  ns.namespace_id = "id";
  ns.lifetime = 52595;
  EXPECT_EQ(*DecodeNamespaceRecord(EncodeNamespaceRecord(ns)), ns);
  EXPECT_EQ(*StoredRecordJson(EncodeNamespaceRecord(ns)), ToJson(ns).dump());
}

template <class T>
bool IsCorruption(const util::Result<T>& r) {
  return !r && r.error().code == util::ErrorCode::Corruption;
}

// The message of a Corruption failure ("" for anything else).
template <class T>
std::string Why(const util::Result<T>& r) {
  return IsCorruption(r) ? r.error().message : "";
}

TEST(RecordsCodecTest, DamagedRecordsFailWithCorruption) {
  const std::string name = EncodeNameRecord(Registered());
  const std::string preorder = EncodePreorderRecord(Preorder());
  // Every cut short, and one byte too many.
  for (std::size_t n = 0; n < name.size(); ++n) EXPECT_TRUE(IsCorruption(DecodeNameRecord(name.substr(0, n)))) << n;
  for (std::size_t n = 0; n < preorder.size(); ++n) {
    EXPECT_TRUE(IsCorruption(DecodePreorderRecord(preorder.substr(0, n)))) << n;
  }
  EXPECT_TRUE(IsCorruption(DecodeNameRecord(name + "x")));
  // The wrong kind, an unknown kind, JSON that is not the record.
  EXPECT_TRUE(IsCorruption(DecodeNameRecord(preorder)));
  EXPECT_TRUE(IsCorruption(DecodePreorderRecord(name)));
  EXPECT_TRUE(IsCorruption(DecodeNamespaceRecord(name)));
  EXPECT_TRUE(IsCorruption(StoredRecordJson(std::string("\x07", 1))));
  EXPECT_TRUE(IsCorruption(StoredRecordJson("")));
  EXPECT_TRUE(IsCorruption(DecodeNameRecord("{\"name\": 1}")));
  EXPECT_TRUE(IsCorruption(DecodeNameRecord("{not json")));
  // A string longer than the record, a header of an unknown form, a null where a
  // string must be, a number over 64 bits: each fails for its own reason.
  const std::string kind(1, '\x01');
  EXPECT_EQ(Why(DecodeNameRecord(kind + "\x7c" + "ab")), "stored name record: record ends inside a string");
  EXPECT_EQ(Why(DecodeNameRecord(kind + "\x03")), "stored name record: bad string header");
  EXPECT_EQ(Why(DecodeNameRecord(kind + "\x02")), "stored name record: a required string is null");
  EXPECT_EQ(Why(DecodeNameRecord(kind + std::string(10, '\xff') + "\x01")), "stored name record: number over 64 bits");
  // A boolean that is neither 0 nor 1: revoked is found by re-encoding with it set.
  NameRecord revoked = Registered();
  revoked.revoked = true;
  const std::string with_true = EncodeNameRecord(revoked);
  ASSERT_EQ(with_true.size(), name.size());
  std::size_t at = 0;
  while (with_true[at] == name[at]) ++at;
  std::string bad_bool = name;
  bad_bool[at] = '\x02';
  EXPECT_EQ(Why(DecodeNameRecord(bad_bool)), "stored name record: bad boolean");
  // A number over 32 bits where the field is 32 bits: name "aaaaaaaa", namespace
  // "id", two empty hashes, the namespace's block number, then the 19 bytes of the
  // remaining fields, all zero (valid). Below 2^32 the same record decodes.
  auto with_block = [&](const std::string& number) {
    return kind + "\x20" + std::string(8, 'a') + "\x08" + "id" + std::string(2, '\0') + number + std::string(19, '\0');
  };
  EXPECT_TRUE(DecodeNameRecord(with_block("\xff\xff\xff\xff\x0f"))) << "2^32 - 1 fits";
  EXPECT_EQ(Why(DecodeNameRecord(with_block("\x80\x80\x80\x80\x10"))), "stored name record: number over 32 bits");
}

// A block's op log comes back exactly, its txids stored as the bytes they spell,
// and a damaged one fails with Corruption.
TEST(RecordsCodecTest, OpLogsComeBackExactlyAndDamagedOnesFail) {
  const std::vector<OpRow> ops = {{12, 1, std::string(64, 'a'), "NAME_PREORDER", true, "", util::Bytes(250, 0x01),
                                   "[[\"76a914\",5500]]", "?:3:abc,0:"},
                                  {12, 3, "not-hex", "NAME_UPDATE", false, "the name is not registered", {}, "[]", ""},
                                  {12, 0x00ffffff, std::string(64, '0'), "ANNOUNCE", true, "", {0x00, 0xff}, "[]", ""}};
  const std::string stored = EncodeOpLog(ops);
  auto back = DecodeOpLog(stored, 12);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, ops);
  std::vector<OpRow> not_hex = ops;
  not_hex[0].txid = std::string(64, 'g');
  not_hex[2].txid = std::string(64, 'g');
  EXPECT_EQ(EncodeOpLog(not_hex).size(), stored.size() + 64) << "a 64-hex txid takes 32 bytes";
  auto other = DecodeOpLog(stored, 13);
  ASSERT_TRUE(other);
  EXPECT_EQ((*other)[2].block_id, 13u);
  auto none = DecodeOpLog(EncodeOpLog({}), 12);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  for (std::size_t n = 0; n < stored.size(); ++n) EXPECT_TRUE(IsCorruption(DecodeOpLog(stored.substr(0, n), 12))) << n;
  EXPECT_TRUE(IsCorruption(DecodeOpLog(stored + "x", 12)));
  EXPECT_TRUE(IsCorruption(DecodeOpLog(EncodeNameRecord(Registered()), 12)));
  const std::string kind(1, '\x03');
  EXPECT_EQ(Why(DecodeOpLog(kind + "\x7f", 12)), "stored op log record: count beyond its bytes");
  // The raw transaction must be plain bytes: form 1 (hex) is refused there.
  EXPECT_EQ(Why(DecodeOpLog(kind + std::string("\x01\x00\x00\x00\x00\x00\x05\xaa", 8), 12)),
            "stored op log record: bad bytes header");
  // Transaction indexes must rise.
  std::vector<OpRow> swapped = {ops[1], ops[0]};
  EXPECT_EQ(Why(DecodeOpLog(EncodeOpLog(swapped), 12)), "stored op log record: transaction indexes out of order");
  std::vector<OpRow> twice = {ops[0], ops[0]};
  EXPECT_TRUE(IsCorruption(DecodeOpLog(EncodeOpLog(twice), 12)));
}

}  // namespace
}  // namespace blockstack::bns
