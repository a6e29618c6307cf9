#include <util/bytes.h>

#include <gtest/gtest.h>

namespace blockstack::util {
namespace {

TEST(BytesTest, HexRoundTrip) {
  Bytes b{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(ToHex(b), "0001abff");
  auto back = FromHex("0001ABff");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, b);
}

TEST(BytesTest, FromHexRejectsOddLength) {
  auto r = FromHex("abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
}

TEST(BytesTest, FromHexRejectsNonHexCharacter) {
  EXPECT_FALSE(FromHex("zz"));
  EXPECT_FALSE(FromHex("0 "));
  EXPECT_FALSE(FromHex("0x00"));
}

TEST(BytesTest, EmptyHexIsEmptyBytes) {
  auto r = FromHex("");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(BytesTest, FixedBytesReversedHex) {
  auto h = Hash256::FromReversedHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  ASSERT_TRUE(h);
  EXPECT_EQ((*h)[0], 0x6f);
  EXPECT_EQ(h->ReversedHex(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
}

TEST(BytesTest, FixedBytesRejectsWrongLength) {
  EXPECT_FALSE(Hash160::FromHex("00"));
  EXPECT_FALSE(Hash256::FromView(Bytes(31)));
}

TEST(BytesTest, IsHexOfWantsExactlyTheLowercaseHex) {
  const Bytes b{0x00, 0x01, 0xab, 0xff};
  EXPECT_TRUE(IsHexOf("0001abff", b));
  EXPECT_TRUE(IsHexOf("", Bytes{}));
  EXPECT_FALSE(IsHexOf("0001ABFF", b));
  EXPECT_FALSE(IsHexOf("0001abfe", b));
  EXPECT_FALSE(IsHexOf("0001ab", b));
  EXPECT_FALSE(IsHexOf("0001abff00", b));
}

TEST(BytesTest, IsLowerHexWantsExactlyThatManyLowercaseDigits) {
  EXPECT_TRUE(IsLowerHex("0123456789abcdef", 16));
  EXPECT_TRUE(IsLowerHex("", 0));
  EXPECT_FALSE(IsLowerHex("0123456789abcdef", 15));
  EXPECT_FALSE(IsLowerHex("ABCDEF", 6));
  EXPECT_FALSE(IsLowerHex("abcdeg", 6));
  EXPECT_FALSE(IsLowerHex(std::string("ab\0d", 4), 4));
  EXPECT_FALSE(IsLowerHex("ab\xe1", 3));
  EXPECT_FALSE(IsLowerHex("ab ", 3));
}

}  // namespace
}  // namespace blockstack::util
