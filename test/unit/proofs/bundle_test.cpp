// The bundle's readers (proofs/bundle.h) take hostile text.
#include <proofs/bundle.h>

#include <gtest/gtest.h>

#include <crypto/hash.h>

namespace blockstack::proofs {
namespace {

TEST(BundleTest, SerialisationsReadBackByLength) {
  auto op = ParseSerializedOp("+:3:a,b,0:,5:x:y,z");
  ASSERT_TRUE(op) << op.error().message;
  EXPECT_EQ(op->opcode, '+');
  ASSERT_EQ(op->fields.size(), 3u);
  EXPECT_EQ(op->fields[0], "a,b");
  EXPECT_EQ(op->fields[1], "");
  EXPECT_EQ(op->fields[2], "x:y,z");
  for (const char* bad : {"", "+", "+x", "+:3:ab", "+:3:abc,", "+:3:abcd", "+:x:abc", "+::abc", "+:99999999:a",
                          "+:-1:a", "+:3:abc,4", "+:1:a1:b"}) {
    EXPECT_FALSE(ParseSerializedOp(bad)) << bad;
  }
  EXPECT_TRUE(ParseSerializedOp("?:"));
}

TEST(BundleTest, TheStateValueIsTheRecordsTextAndTheOperationCount) {
  std::string record = "4:a.id";
  for (int i = 1; i < 16; ++i) record += ",1:" + std::to_string(i % 10);
  const std::string op = "+:" + record + ",2:ab,2:cd";
  auto r = RecordOfOp(op);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->name, "a.id");
  EXPECT_EQ(r->text, record);
  EXPECT_EQ(StateValue(r->text, 3), crypto::Sha256(util::AsBytes(record + ",1:3")));
  EXPECT_EQ(StateValue(r->text, 12), crypto::Sha256(util::AsBytes(record + ",2:12")));
  EXPECT_FALSE(RecordOfOp("?:" + record));  // a preorder is no name operation
  EXPECT_FALSE(RecordOfOp("+:1:a,1:b"));    // too few fields
}

TEST(BundleTest, BundlesRoundTripAndHostileOnesAreRefused) {
  HistoryBundle b;
  b.name = "alice.id";
  b.anchor_height = 120;
  b.anchor_consensus_hash = std::string(32, 'a');
  b.first_block = 100;
  b.blocks.push_back({110, {"+:1:a"}, {{std::string(64, 'b'), 1, "0100"}}});
  b.links.push_back({120, std::string(64, 'c'), {std::string(32, 'd')}});
  b.next_anchor = std::string(32, 'e');
  auto back = ParseHistoryBundle(ToJson(b));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->name, b.name);
  EXPECT_EQ(back->blocks[0].name_ops[0].raw_tx, "0100");
  EXPECT_EQ(back->links[0].previous, b.links[0].previous);
  EXPECT_EQ(back->next_anchor, b.next_anchor);
  const std::string good = ToJson(b);
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, good.size() / 2, good.size() - 1}) {
    EXPECT_FALSE(ParseHistoryBundle(good.substr(0, cut))) << cut;
  }
  for (const char* bad : {"[]", "{}", R"({"version":2})", R"({"version":1,"name":5})",
                          R"({"version":1,"name":"a.id","anchor":{"height":-1,"consensus_hash":"x"}})"}) {
    EXPECT_FALSE(ParseHistoryBundle(bad)) << bad;
  }
  std::string upper = good;
  upper.replace(upper.find(std::string(32, 'a')), 1, "A");
  EXPECT_FALSE(ParseHistoryBundle(upper));
}

}  // namespace
}  // namespace blockstack::proofs
