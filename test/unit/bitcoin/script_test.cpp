#include <bitcoin/script.h>

#include <gtest/gtest.h>

namespace blockstack::bitcoin {
namespace {

util::Bytes H(const char* hex) { return *util::FromHex(hex); }

TEST(ScriptTest, ClassifiesStandardTemplates) {
  EXPECT_EQ(ClassifyScript(H("76a91441577ec99314a293acbc17d8152137cf4862f7f188ac")), ScriptType::P2pkh);
  EXPECT_EQ(ClassifyScript(H("a914000102030405060708090a0b0c0d0e0f1011121387")), ScriptType::P2sh);
  EXPECT_EQ(ClassifyScript(H("0014000102030405060708090a0b0c0d0e0f10111213")), ScriptType::P2wpkh);
  EXPECT_EQ(ClassifyScript(H("0020000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")),
            ScriptType::P2wsh);
  EXPECT_EQ(ClassifyScript(H("6a0461626364")), ScriptType::NullData);
  EXPECT_EQ(ClassifyScript(H("6a")), ScriptType::NullData);
  EXPECT_EQ(ClassifyScript(H("51")), ScriptType::Other);
  EXPECT_EQ(ClassifyScript({}), ScriptType::Other);
  // p2pkh with the wrong push length is not p2pkh
  EXPECT_EQ(ClassifyScript(H("76a91541577ec99314a293acbc17d8152137cf4862f7f188ac")), ScriptType::Other);
}

TEST(ScriptTest, OpReturnPayloadWithEveryPushEncoding) {
  util::Bytes data{'i', 'd', '?', 1, 2, 3};
  for (auto prefix : {H("6a06"), H("6a4c06"), H("6a4d0600"), H("6a4e06000000")}) {
    util::Bytes script = prefix;
    script.insert(script.end(), data.begin(), data.end());
    auto p = OpReturnPayload(script);
    ASSERT_TRUE(p) << util::ToHex(script);
    EXPECT_EQ(util::Bytes(p->begin(), p->end()), data);
  }
}

TEST(ScriptTest, OpReturnPayloadRequiresExactlyOnePush) {
  EXPECT_FALSE(OpReturnPayload(H("6a")));
  EXPECT_FALSE(OpReturnPayload(H("6a52")));            // OP_RETURN OP_2: an opcode, not data
  EXPECT_FALSE(OpReturnPayload(H("6a01aa01bb")));      // two pushes
  EXPECT_FALSE(OpReturnPayload(H("6a05aabb")));        // push runs past the end
  EXPECT_FALSE(OpReturnPayload(H("6a4c")));            // PUSHDATA1 without length
  EXPECT_FALSE(OpReturnPayload(H("6a4dff")));          // PUSHDATA2 with half a length
  EXPECT_FALSE(OpReturnPayload(H("6a4effffffff00")));  // PUSHDATA4 of 4 GiB
  EXPECT_FALSE(OpReturnPayload(H("0001aa")));          // not OP_RETURN first
  auto empty = OpReturnPayload(H("6a00"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ScriptTest, TokenizeReportsBadPush) {
  auto r = TokenizeScript(H("4c05aa"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Corruption);
  auto ok = TokenizeScript(H("76a90100"));
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_FALSE((*ok)[0].is_push);
  EXPECT_TRUE((*ok)[2].is_push);
}

TEST(ScriptTest, BuildersUseMinimalPushes) {
  EXPECT_EQ(util::ToHex(*MakeOpReturnScript(util::Bytes(3, 0xaa))), "6a03aaaaaa");
  EXPECT_EQ(util::ToHex(*MakeOpReturnScript(util::Bytes(80, 0))).substr(0, 6), "6a4c50");
  EXPECT_FALSE(MakeOpReturnScript(util::Bytes(521)));
  util::Hash160 h;
  h[0] = 1;
  EXPECT_EQ(ClassifyScript(MakeP2pkhScript(h)), ScriptType::P2pkh);
  EXPECT_EQ(ClassifyScript(MakeP2shScript(h)), ScriptType::P2sh);
  EXPECT_EQ(*ScriptHash160(MakeP2shScript(h)), h);
}

}  // namespace
}  // namespace blockstack::bitcoin
