#include <client/keychain.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>
#include <crypto/hash.h>
#include <testutil/vectors.h>

namespace blockstack::client {
namespace {

std::string HexWithFlag(const crypto::PrivateKey& k) { return k.Hex() + (k.IsCompressed() ? "01" : ""); }

// Every key the original wallet (npm blockstack 21 BlockstackWallet) derives.
TEST(KeychainTest, DerivesWhatTheOriginalWalletDerived) {
  auto v = testutil::LoadVectors("keychain_vectors.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    auto kc = Keychain::FromMnemonic(c["mnemonic"].get<std::string>(), c["passphrase"].get<std::string>());
    ASSERT_TRUE(kc) << kc.error().message;
    EXPECT_EQ(kc->IdentitySalt(), c["salt"]);
    EXPECT_EQ(HexWithFlag(*kc->OwnerKey(0)), c["owner0"]);
    EXPECT_EQ(HexWithFlag(*kc->OwnerKey(1)), c["owner1"]);
    EXPECT_EQ(bitcoin::P2pkhAddress(kc->OwnerKey(1)->GetPublicKey(), bitcoin::Params(bitcoin::Network::Mainnet)),
              c["owner1_address"]);
    EXPECT_EQ(*kc->AppsNodeKey(1), c["apps_node_key1"]);
    EXPECT_EQ(HexWithFlag(*kc->PaymentKey(0)), c["payment0"]);
    EXPECT_EQ(HexWithFlag(*kc->PaymentKey(1)), c["payment1"]);
    EXPECT_EQ(kc->AppKey(1, c["origin"].get<std::string>())->Hex(), c["app1"]);
    EXPECT_EQ(kc->AppKeyV2(1, c["origin"].get<std::string>())->Hex(), c["app1_v2"]);

    auto owner1 = kc->OwnerKey(1);
    EXPECT_EQ(kc->FindIdentity(crypto::Hash160Of(owner1->GetPublicKey().Serialize()), 4), 1u);
    EXPECT_EQ(kc->FindIdentity(util::Hash160{}, 4), std::nullopt);
  }
}

TEST(KeychainTest, EncryptedMnemonicsAreTheOriginalFormat) {
  auto v = testutil::LoadVectors("keychain_vectors.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    const auto& e = c["encrypted"];
    auto salt = util::FromHex(e["salt"].get<std::string>());
    auto enc =
        EncryptMnemonic(c["mnemonic"].get<std::string>(), e["password"].get<std::string>(), util::ByteView(*salt));
    ASSERT_TRUE(enc) << enc.error().message;
    EXPECT_EQ(util::ToHex(*enc), e["hex"]);
    auto data = util::FromHex(e["hex"].get<std::string>());
    auto dec = DecryptMnemonic(*data, e["password"].get<std::string>());
    ASSERT_TRUE(dec) << dec.error().message;
    EXPECT_EQ(*dec, c["mnemonic"]);
    auto wrong = DecryptMnemonic(*data, "not the password");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, util::ErrorCode::Unauthorized);
  }
  // A random salt: different every time, and still decrypts.
  std::string m = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
  auto a = EncryptMnemonic(m, "pw");
  auto b = EncryptMnemonic(m, "pw");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(*DecryptMnemonic(*a, "pw"), m);
  EXPECT_EQ(DecryptMnemonic(util::Bytes(20, 0), "pw").error().code, util::ErrorCode::InvalidArgument);
  EXPECT_EQ(DecryptMnemonic(util::Bytes(64 + 3, 0), "pw").error().code, util::ErrorCode::InvalidArgument);
  EXPECT_FALSE(EncryptMnemonic("abandon about", "pw"));
}

}  // namespace
}  // namespace blockstack::client
