#include <crypto/aes.h>

#include <gtest/gtest.h>

#include "testutil/vectors.h"

namespace blockstack::crypto {
namespace {

TEST(AesTest, Aes256CbcVector) {
  auto v = testutil::LoadVectors("gaia/primitives.json")["aes256Cbc"];
  auto key = *util::FromHex(v["keyHex"].get<std::string>());
  auto iv = *util::FromHex(v["ivHex"].get<std::string>());
  std::string plain = v["plaintextUtf8"];
  auto ct = Aes256CbcEncrypt(key, iv, util::AsBytes(plain));
  ASSERT_TRUE(ct);
  EXPECT_EQ(util::ToHex(*ct), v["ciphertextHex"]);
  auto pt = Aes256CbcDecrypt(key, iv, *ct);
  ASSERT_TRUE(pt);
  EXPECT_EQ(util::AsChars(*pt), plain);
}

TEST(AesTest, WrongKeyGivesCorruptionNotGarbage) {
  util::Bytes key(32, 1), other(32, 2), iv(16, 0);
  auto ct = Aes256CbcEncrypt(key, iv, util::AsBytes("secret message"));
  ASSERT_TRUE(ct);
  auto pt = Aes256CbcDecrypt(other, iv, *ct);
  // A wrong key almost always breaks the padding; if the padding happens to be
  // valid the plaintext still differs.
  if (pt) {
    EXPECT_NE(util::AsChars(*pt), "secret message");
  } else {
    EXPECT_EQ(pt.error().code, util::ErrorCode::Corruption);
  }
}

TEST(AesTest, RejectsBadSizes) {
  util::Bytes key(31), iv(16);
  EXPECT_FALSE(Aes256CbcEncrypt(key, iv, {}));
  util::Bytes key32(32), iv15(15);
  EXPECT_FALSE(Aes256CbcDecrypt(key32, iv15, {}));
  EXPECT_FALSE(Aes256CbcDecrypt(key32, iv, util::Bytes(17)));
}

}  // namespace
}  // namespace blockstack::crypto
