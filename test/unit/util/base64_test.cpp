#include <util/base64.h>

#include <gtest/gtest.h>

namespace blockstack::util {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : cases) {
    EXPECT_EQ(EncodeBase64(AsBytes(plain)), enc);
    auto dec = DecodeBase64(enc);
    ASSERT_TRUE(dec);
    EXPECT_EQ(AsChars(*dec), plain);
  }
}

TEST(Base64Test, UrlAlphabetWithoutPadding) {
  Bytes b{0xfb, 0xff};
  EXPECT_EQ(EncodeBase64Url(b), "-_8");
  EXPECT_EQ(EncodeBase64(b), "+/8=");
  auto dec = DecodeBase64("-_8");
  ASSERT_TRUE(dec);
  EXPECT_EQ(*dec, b);
}

TEST(Base64Test, RejectsBadInput) {
  EXPECT_FALSE(DecodeBase64("Zm9v!"));
  EXPECT_FALSE(DecodeBase64("Z"));
  EXPECT_FALSE(DecodeBase64("Zg=a"));
  EXPECT_FALSE(DecodeBase64("Zg="));
}

}  // namespace
}  // namespace blockstack::util
