#include <zonefile/profile.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>
#include <crypto/jwt.h>
#include <crypto/keys.h>

#include "testutil/vectors.h"

namespace blockstack::zonefile {
namespace {

using nlohmann::json;

json Case(const std::string& prefix) {
  auto v = testutil::LoadVectors("atlas/profile_tokens.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    if (c["name"].get<std::string>().starts_with(prefix)) return c;
  }
  ADD_FAILURE() << "no vector " << prefix;
  return json::object();
}

TEST(ProfileTest, SampleTokenVerifiesAgainstEitherAddressAndTheKey) {
  json c = Case("profiles-py sample_token.json");
  std::string file = c["token_file"].dump();
  for (const char* who : {"address_of_compressed_key", "address_of_uncompressed_key"}) {
    auto profile = ProfileFromTokenFile(file, Signer{c[who].get<std::string>(), ""});
    ASSERT_TRUE(profile) << who << ": " << profile.error().message;
    EXPECT_EQ(*profile, c["expected_profile"]);
  }
  auto by_key = ProfileFromTokenFile(file, Signer{"", c["verify_with"].get<std::string>()});
  ASSERT_TRUE(by_key);
  auto by_uncompressed = ProfileFromTokenFile(file, Signer{"", c["issuer_public_key_uncompressed"].get<std::string>()});
  EXPECT_TRUE(by_uncompressed);
}

TEST(ProfileTest, MultiTokenFilesMergeTheirClaims) {
  for (const char* name : {"profiles-py test_data.py ryan", "profiles-py test_data.py naval"}) {
    json c = Case(name);
    for (const char* who : {"address_of_compressed_key", "address_of_uncompressed_key"}) {
      auto profile = ProfileFromTokenFile(c["token_file"].dump(), Signer{c["per_token"][0][who], ""});
      ASSERT_TRUE(profile) << name << " " << who << ": " << profile.error().message;
      EXPECT_EQ(*profile, c["expected_merged_profile"]) << name;
    }
  }
}

TEST(ProfileTest, JsontokensSampleAndItsForgery) {
  json good = Case("jsontokens-js mainTests sampleToken");
  json bad = Case("jsontokens-js sampleToken with altered");
  // The sample is not a profile (no claim), so it is read as a token only.
  auto claim = VerifyProfileToken(good["token"].get<std::string>(), Signer{"", good["raw_public_key"]});
  EXPECT_FALSE(claim);
  EXPECT_EQ(claim.error().code, util::ErrorCode::InvalidArgument);
  EXPECT_FALSE(VerifyProfileToken(bad["token"].get<std::string>(), Signer{"", bad["raw_public_key"]}));
  // The signatures themselves: the sample verifies, its altered copy does not.
  auto key = crypto::PublicKey::FromHex(good["raw_public_key"].get<std::string>());
  ASSERT_TRUE(key);
  auto good_jwt = crypto::DecodeJwt(good["token"].get<std::string>());
  auto bad_jwt = crypto::DecodeJwt(bad["token"].get<std::string>());
  ASSERT_TRUE(good_jwt && bad_jwt);
  EXPECT_TRUE(crypto::VerifyJwtEs256k(*good_jwt, *key));
  EXPECT_FALSE(crypto::VerifyJwtEs256k(*bad_jwt, *key));
}

TEST(ProfileTest, WrongSignerIsRefused) {
  json c = Case("profiles-py sample token verified against a different");
  auto claim = VerifyProfileToken(c["token"].get<std::string>(), Signer{"", c["verify_with_public_key"]});
  ASSERT_FALSE(claim);
  EXPECT_EQ(claim.error().code, util::ErrorCode::Unauthorized);
  auto file = ProfileFromTokenFile(MakeTokenFile(c["token"]).dump(), Signer{"1BoatSLRHtKNngkdXEeobR76b53LETtpyT", ""});
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, util::ErrorCode::Unauthorized);
}

TEST(ProfileTest, SignedProfileVerifiesAndTamperingIsCaught) {
  json c = Case("jsontokens-js mainTests sampleToken");
  auto key = crypto::PrivateKey::FromHex(c["raw_private_key"].get<std::string>());
  ASSERT_TRUE(key);
  json claim = {{"@type", "Person"}, {"name", "Alice"}};
  std::string token = SignProfileToken(claim, *key, 1700000000, 1731536000);
  EXPECT_EQ(token, SignProfileToken(claim, *key, 1700000000, 1731536000));
  auto profile = ProfileFromTokenFile(MakeTokenFile(token).dump(), Signer{"", key->GetPublicKey().Hex()});
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(*profile, claim);
  // Bare token form.
  EXPECT_TRUE(ProfileFromTokenFile(token, Signer{"", key->GetPublicKey().Hex()}));
  std::string forged = token;
  forged[forged.find('.') + 5] ^= 1;
  EXPECT_FALSE(ProfileFromTokenFile(forged, Signer{"", key->GetPublicKey().Hex()}));
  EXPECT_FALSE(ProfileFromTokenFile("{\"not\": \"tokens\"}", Signer{"", key->GetPublicKey().Hex()}));
  EXPECT_FALSE(ProfileFromTokenFile("[1, 2]", Signer{"", key->GetPublicKey().Hex()}));
}

// Real profile tokens of the v1 network (test/data/real/profile-tokens): each
// verifies against its issuer's key, and against the address of that key in
// either encoding (a name's owner address may be of either, as the original
// accepted); the claim is the one the original decoded.
TEST(ProfileTest, RealTokensVerifyAgainstTheirIssuerKeyAndItsAddresses) {
  int verified = 0;
  for (const char* file : {"balloonDog", "google", "naval"}) {
    SCOPED_TRACE(file);
    json tokens = testutil::LoadVectors(std::string("real/profile-tokens/") + file + ".json");
    ASSERT_TRUE(tokens.is_array() && !tokens.empty());
    const std::string token_file = tokens.dump();
    for (const auto& t : tokens) {
      const json& payload = t["decodedToken"]["payload"];
      auto key = crypto::PublicKey::FromHex(payload["issuer"]["publicKey"].get<std::string>());
      ASSERT_TRUE(key);
      for (bool compressed : {true, false}) {
        auto address = bitcoin::P2pkhAddress(key->WithCompression(compressed), bitcoin::Params(bitcoin::Network::Mainnet));
        auto claim = VerifyProfileToken(t["token"].get<std::string>(), Signer{address, ""});
        ASSERT_TRUE(claim) << address << ": " << claim.error().message;
        EXPECT_EQ(*claim, payload["claim"]);
        auto by_key = VerifyProfileToken(t["token"].get<std::string>(), Signer{"", key->WithCompression(compressed).Hex()});
        EXPECT_TRUE(by_key);
      }
      ++verified;
    }
    // The whole file, as lookup reads it, and a forged copy.
    EXPECT_TRUE(ProfileFromTokenFile(token_file, Signer{"", tokens[0]["decodedToken"]["payload"]["issuer"]["publicKey"]
                                                                .get<std::string>()}));
    std::string forged = tokens[0]["token"].get<std::string>();
    forged[forged.rfind('.') + 3] ^= 1;
    EXPECT_FALSE(VerifyProfileToken(forged, Signer{"", tokens[0]["decodedToken"]["payload"]["issuer"]["publicKey"]
                                                           .get<std::string>()}));
  }
  EXPECT_EQ(verified, 3);
}

// A token whose issuer key is uncompressed verifies against that key's own
// address (the uncompressed one), as the original accepted such real tokens.
TEST(ProfileTest, ATokenSignedWithAnUncompressedKeyVerifiesAgainstThatKeysAddress) {
  auto key = crypto::PrivateKey::Generate(false);
  json claim = {{"@type", "Person"}, {"name", "Old"}};
  std::string token = SignProfileToken(claim, key, 1500000000, 1900000000);
  auto header_payload = crypto::DecodeJwt(token);
  ASSERT_TRUE(header_payload);
  EXPECT_EQ(header_payload->payload["issuer"]["publicKey"].get<std::string>().substr(0, 2), "04");
  auto address = bitcoin::P2pkhAddress(key.GetPublicKey(), bitcoin::Params(bitcoin::Network::Mainnet));
  auto got = VerifyProfileToken(token, Signer{address, ""});
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, claim);
  auto other = crypto::PrivateKey::Generate(false);
  auto wrong = bitcoin::P2pkhAddress(other.GetPublicKey(), bitcoin::Params(bitcoin::Network::Mainnet));
  EXPECT_FALSE(VerifyProfileToken(token, Signer{wrong, ""}));
}

}  // namespace
}  // namespace blockstack::zonefile
