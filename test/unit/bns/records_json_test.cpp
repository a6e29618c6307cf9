#include <bns/records_json.h>

#include <gtest/gtest.h>

namespace blockstack::bns {
namespace {

NameRecord Sample() {
  NameRecord r;
  r.name = "alice.id";
  r.namespace_id = "id";
  r.preorder_hash = std::string(40, 'a');
  r.name_hash128 = std::string(32, 'b');
  r.namespace_block_number = 373601;
  r.value_hash = std::string(40, 'c');
  r.sender = "76a914" + std::string(40, 'd') + "88ac";
  r.sender_pubkey = "02" + std::string(64, 'e');
  r.address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
  r.block_number = 400000;
  r.preorder_block_number = 399999;
  r.first_registered = 400000;
  r.last_renewed = 410000;
  r.op = ":";
  r.txid = std::string(64, 'f');
  r.vtxindex = 7;
  r.op_fee = int64_t{6400000};
  r.token_fee = "0";
  r.last_creation_op = "?";
  return r;
}

TEST(RecordsJsonTest, DirectTextEqualsNlohmannDump) {
  std::vector<NameRecord> cases;
  cases.push_back(Sample());
  NameRecord imported = Sample();
  imported.op = ";";
  imported.last_creation_op = ";";
  imported.importer = "76a914" + std::string(40, '1') + "88ac";
  imported.importer_address = "1Importer";
  imported.sender_pubkey.reset();
  imported.value_hash.reset();
  for (double fee : {0.0, 100000.0, 6400000.0, 1e16, 1.5, 12345678901234.0, 0.1}) {
    imported.op_fee = fee;
    cases.push_back(imported);
  }
  NameRecord odd = Sample();
  odd.revoked = true;
  odd.consensus_hash = std::string(32, '0');
  odd.op_fee = int64_t{-5};
  odd.token_fee = "123456789012345678901234567890";
  odd.name = std::string("q\"uo\\te\n\t\x01\x1f\x7f") + "\xc3\xa9.id";  // escapes and UTF-8 as nlohmann writes them
  cases.push_back(odd);
  cases.push_back(NameRecord{});
  for (const auto& r : cases) EXPECT_EQ(NameRecordJsonText(r), ToJson(r).dump()) << ToJson(r).dump();
}

TEST(RecordsJsonTest, DirectPreorderTextEqualsNlohmannDump) {
  PreorderRecord p;
  p.preorder_hash = std::string(40, 'a');
  p.consensus_hash = std::string(32, 'b');
  p.sender = "76a914" + std::string(40, '2') + "88ac";
  p.sender_pubkey = "02" + std::string(64, '3');
  p.address = "1Sender";
  p.block_number = 373601;
  p.op = "?";
  p.op_fee = 6400000;
  p.txid = std::string(64, 'c');
  p.vtxindex = 9;
  p.burn_address = "1111111111111111111114oLvT2";
  std::vector<PreorderRecord> cases{p, PreorderRecord{}};
  PreorderRecord odd = p;
  odd.sender_pubkey.reset();
  odd.op = "*";
  odd.op_fee = -1;
  odd.token_units = "STACKS";
  odd.token_fee = "123456789012345678901234567890";
  odd.address = std::string("q\"uo\\te\n\x01\x7f") + "\xc3\xa9";
  cases.push_back(odd);
  for (const auto& r : cases) EXPECT_EQ(PreorderRecordJsonText(r), ToJson(r).dump()) << ToJson(r).dump();
  auto back = PreorderRecordFromJson(nlohmann::json::parse(PreorderRecordJsonText(p)));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, p);
}

TEST(RecordsJsonTest, DirectTextReadsBack) {
  auto back = NameRecordFromJson(nlohmann::json::parse(NameRecordJsonText(Sample())));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, Sample());
}

}  // namespace
}  // namespace blockstack::bns
