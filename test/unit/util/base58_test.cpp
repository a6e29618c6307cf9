#include <util/base58.h>

#include <gtest/gtest.h>

namespace blockstack::util {
namespace {

TEST(Base58Test, EncodesKnownValues) {
  EXPECT_EQ(EncodeBase58(*FromHex("")), "");
  EXPECT_EQ(EncodeBase58(*FromHex("61")), "2g");
  EXPECT_EQ(EncodeBase58(*FromHex("626262")), "a3gV");
  EXPECT_EQ(EncodeBase58(*FromHex("0000287fb4cd")), "11233QC4");
  EXPECT_EQ(EncodeBase58(*FromHex("516b6fcd0f")), "ABnLTmg");
}

TEST(Base58Test, DecodeRoundTrip) {
  auto r = DecodeBase58("11233QC4");
  ASSERT_TRUE(r);
  EXPECT_EQ(ToHex(*r), "0000287fb4cd");
}

TEST(Base58Test, RejectsCharactersOutsideAlphabet) {
  for (auto bad : {"0", "O", "I", "l", "abc ", " abc", "a+b"}) {
    auto r = DecodeBase58(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  }
}

TEST(Base58Test, RejectsOverlongInput) {
  auto r = DecodeBase58(std::string(MAX_BASE58_LENGTH + 1, '2'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::TooLarge);
}

}  // namespace
}  // namespace blockstack::util
