#include <client/ecies.h>

#include <gtest/gtest.h>

#include "testutil/vectors.h"

namespace blockstack::client {
namespace {

crypto::PrivateKey Key(const nlohmann::json& hex) { return *crypto::PrivateKey::FromHex(hex.get<std::string>()); }

TEST(EciesTest, EncryptionMatchesVectorsByteForByte) {
  auto v = testutil::LoadVectors("gaia/ecies.json");
  int checked = 0;
  for (const auto& c : testutil::Cases(v, "vectors")) {
    if (!c.contains("cipherObjectJson")) continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    EciesOptions options;
    options.ephemeral = Key(c["ephemeralPrivateKeyHex"]);
    options.iv = *util::FromHex(c["ivHex"].get<std::string>());
    options.was_string = c["cipherObject"]["wasString"];
    if (c["cipherObject"].contains("cipherTextEncoding")) options.encoding = CipherTextEncoding::Base64;
    auto recipient = crypto::PublicKey::FromHex(c["recipientPublicKeyHex"].get<std::string>());
    ASSERT_TRUE(recipient);
    auto plaintext = *util::FromHex(c["plaintextHex"].get<std::string>());
    EXPECT_EQ(EncryptEcies(*recipient, plaintext, options).dump(), c["cipherObjectJson"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(EciesTest, DecryptsVectorsAndRejectsBadMac) {
  auto v = testutil::LoadVectors("gaia/ecies.json");
  for (const auto& c : testutil::Cases(v, "vectors")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto out = DecryptEcies(Key(c["recipientPrivateKeyHex"]), c["cipherObject"]);
    if (c["name"] == "bad_mac") {
      ASSERT_FALSE(out);
      EXPECT_EQ(out.error().message, "failure in MAC check");
      continue;
    }
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(util::ToHex(out->data), c["plaintextHex"]);
    EXPECT_EQ(out->was_string, c["cipherObject"]["wasString"].get<bool>());
  }
}

TEST(EciesTest, RandomRoundTripAndWrongKey) {
  auto alice = crypto::PrivateKey::Generate();
  auto bob = crypto::PrivateKey::Generate();
  std::string text(1000, 'x');
  EciesOptions options;
  options.was_string = true;
  auto cipher = EncryptEcies(alice.GetPublicKey(), util::AsBytes(text), options);
  auto out = DecryptEcies(alice, cipher);
  ASSERT_TRUE(out);
  EXPECT_EQ(std::string(out->data.begin(), out->data.end()), text);
  EXPECT_FALSE(DecryptEcies(bob, cipher));
  EXPECT_FALSE(DecryptEcies(alice, nlohmann::json::object()));
  EXPECT_FALSE(DecryptEcies(alice, nlohmann::json::parse(R"({"ephemeralPK":"02zz","iv":"","cipherText":"","mac":""})")));
}

TEST(EciesTest, SignaturesMatchVectors) {
  auto v = testutil::LoadVectors("gaia/signatures.json");
  int checked = 0;
  for (const auto& c : testutil::Cases(v, "vectors")) {
    if (!c.contains("signatureDerHex") || !c.contains("privateKeyHex")) continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    std::string content = c.contains("contentUtf8") ? c["contentUtf8"].get<std::string>() : "";
    if (c.contains("contentHex")) {
      auto b = *util::FromHex(c["contentHex"].get<std::string>());
      content.assign(b.begin(), b.end());
    }
    auto sig = SignContent(Key(c["privateKeyHex"]), util::AsBytes(content));
    EXPECT_EQ(sig["signature"].get<std::string>(), c["signatureDerHex"].get<std::string>());
    if (c.contains("sigFileJson")) {
      EXPECT_EQ(sig.dump(), c["sigFileJson"].get<std::string>());
    }
    EXPECT_TRUE(VerifyContent(util::AsBytes(content), c["publicKeyHex"].get<std::string>(),
                              c["signatureDerHex"].get<std::string>()));
    EXPECT_FALSE(VerifyContent(util::AsBytes(content + "!"), c["publicKeyHex"].get<std::string>(),
                               c["signatureDerHex"].get<std::string>()));
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(EciesTest, GaiaAddressMatchesTestKeys) {
  auto v = testutil::LoadVectors("gaia/test_keys.json");
  for (const auto& k : testutil::Cases(v, "keys")) {
    auto pub = crypto::PublicKey::FromHex(k["publicKeyHex"].get<std::string>());
    ASSERT_TRUE(pub);
    EXPECT_EQ(GaiaAddress(*pub), k["address"]);
  }
}

}  // namespace
}  // namespace blockstack::client
