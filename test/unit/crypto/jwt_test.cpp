#include <crypto/jwt.h>

#include <gtest/gtest.h>

#include <util/base64.h>

#include "testutil/vectors.h"

namespace blockstack::crypto {
namespace {

TEST(JwtTest, VerifiesJsontokensVector) {
  auto v = testutil::LoadVectors("gaia/jwt_es256k.json");
  auto token = DecodeJwt(v["token"].get<std::string>());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->header, v["decodedHeader"]);
  auto key = PublicKey::FromHex(v["publicKeyHex"].get<std::string>());
  ASSERT_TRUE(key);
  EXPECT_TRUE(VerifyJwtEs256k(*token, *key));
  auto other = PublicKey::FromHex("027d28f9951ce46538951e3697c62588a87f1f1f295de4a14fdd4c780fc52cfe69");
  EXPECT_FALSE(VerifyJwtEs256k(*token, *other));
}

TEST(JwtTest, SignThenVerifyRoundTrips) {
  auto key = PrivateKey::FromHex("278a5de700e29faae8e40e366ec5012b5ec63d36ec77e8a2417154cc1d25383f");
  nlohmann::ordered_json payload = {{"iss", "x"}, {"exp", 1.5}};
  std::string token = SignJwtEs256k(payload, *key);
  auto decoded = DecodeJwt(token);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->payload["exp"], 1.5);
  EXPECT_EQ(decoded->header["alg"], "ES256K");
  EXPECT_TRUE(VerifyJwtEs256k(*decoded, key->GetPublicKey()));
  // The same payload signs to the same token (RFC 6979).
  EXPECT_EQ(token, SignJwtEs256k(payload, *key));
}

TEST(JwtTest, TamperedPayloadFailsVerification) {
  auto key = PrivateKey::FromHex("278a5de700e29faae8e40e366ec5012b5ec63d36ec77e8a2417154cc1d25383f");
  std::string token = SignJwtEs256k({{"iss", "x"}}, *key);
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  std::string forged = token.substr(0, dot1 + 1) +
                       util::EncodeBase64Url(util::AsBytes(std::string(R"({"iss":"y"})"))) + token.substr(dot2);
  auto decoded = DecodeJwt(forged);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(VerifyJwtEs256k(*decoded, key->GetPublicKey()));
}

TEST(JwtTest, HighSSignatureIsAccepted) {
  auto key = PrivateKey::FromHex("278a5de700e29faae8e40e366ec5012b5ec63d36ec77e8a2417154cc1d25383f");
  std::string token = SignJwtEs256k({{"iss", "x"}}, *key);
  auto decoded = DecodeJwt(token);
  ASSERT_TRUE(decoded);
  // s -> n - s
  static const auto n = *util::FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - decoded->signature[32 + i] - borrow;
    borrow = d < 0 ? 1 : 0;
    decoded->signature[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  EXPECT_TRUE(VerifyJwtEs256k(*decoded, key->GetPublicKey()));
}

TEST(JwtTest, MalformedTokensAreRejected) {
  for (const char* bad : {"", "a", "a.b", "a.b.c.d", "not.a.jwt", "e30.e30", "W10.e30.", "e30.W10.",
                          "e30.e30.+/=", "e30.bm90IGpzb24.AA"}) {
    EXPECT_FALSE(DecodeJwt(bad)) << bad;
  }
  EXPECT_TRUE(DecodeJwt("e30.e30."));  // {} . {} with an empty signature parses; it cannot verify
}

}  // namespace
}  // namespace blockstack::crypto
