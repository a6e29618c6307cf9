#include <crypto/bip32.h>
#include <crypto/bip39.h>

#include <gtest/gtest.h>

#include <testutil/vectors.h>

namespace blockstack::crypto {
namespace {

// Vectors made with npm bip39 and bitcoinjs-lib's bip32 (test/data/keychain_vectors.json).
TEST(Bip39Test, MnemonicsSeedsAndRootsMatchTheJsLibraries) {
  auto v = testutil::LoadVectors("keychain_vectors.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    auto entropy = util::FromHex(c["entropy"].get<std::string>());
    ASSERT_TRUE(entropy);
    auto words = EntropyToMnemonic(*entropy);
    ASSERT_TRUE(words);
    EXPECT_EQ(*words, c["mnemonic"]);
    auto back = MnemonicToEntropy(c["mnemonic"].get<std::string>());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *entropy);
    auto seed = MnemonicToSeed(c["mnemonic"].get<std::string>(), c["passphrase"].get<std::string>());
    ASSERT_TRUE(seed) << seed.error().message;
    EXPECT_EQ(util::ToHex(seed->view()), c["seed"]) << c["mnemonic"];
    auto root = MasterKeyFromSeed(seed->view());
    ASSERT_TRUE(root);
    EXPECT_EQ(ToBase58(*root), c["root"]);
    auto parsed = PrivateFromBase58(c["root"].get<std::string>());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(ToBase58(*parsed), c["root"]);
  }
}

TEST(Bip39Test, WhiteSpaceIsCanonicalised) {
  std::string m =
      "  abandon abandon\tabandon abandon abandon abandon\nabandon abandon abandon abandon abandon about \n";
  EXPECT_EQ(CanonicalMnemonic(m),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
  auto a = MnemonicToSeed(m, "");
  auto b = MnemonicToSeed(CanonicalMnemonic(m), "");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(Bip39Test, BadMnemonicsNameTheProblem) {
  auto bad_word = MnemonicToEntropy(
      "abandon abandon abandon abandonn abandon abandon abandon abandon abandon abandon abandon about");
  ASSERT_FALSE(bad_word);
  EXPECT_EQ(bad_word.error().code, util::ErrorCode::InvalidArgument);
  EXPECT_NE(bad_word.error().message.find("word 4 'abandonn'"), std::string::npos) << bad_word.error().message;

  auto checksum = MnemonicToEntropy(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon");
  ASSERT_FALSE(checksum);
  EXPECT_NE(checksum.error().message.find("checksum"), std::string::npos);

  auto count = MnemonicToEntropy("abandon abandon abandon");
  ASSERT_FALSE(count);
  EXPECT_NE(count.error().message.find("has 3"), std::string::npos);
  EXPECT_FALSE(MnemonicToEntropy(""));
  EXPECT_FALSE(MnemonicToSeed("abandon about", ""));
  // A passphrase that is not UTF-8.
  EXPECT_FALSE(
      MnemonicToSeed("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
                     std::string("\xff\xfe", 2)));
  EXPECT_FALSE(EntropyToMnemonic(util::Bytes(15, 0)));
  EXPECT_FALSE(GenerateMnemonic(13));
}

TEST(Bip39Test, GeneratedMnemonicsCheck) {
  for (std::size_t words : {12u, 15u, 18u, 21u, 24u}) {
    auto m = GenerateMnemonic(words);
    ASSERT_TRUE(m);
    auto entropy = MnemonicToEntropy(*m);
    ASSERT_TRUE(entropy) << *m;
    EXPECT_EQ(entropy->size(), words * 4 / 3);
  }
}

TEST(Bip39Test, NfkdDecomposesCompatibilityCharacters) {
  auto n = Nfkd("caf\xc3\xa9 \xe2\x84\xa6");  // "café Ω" (U+2126 OHM SIGN)
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, "cafe\xcc\x81 \xce\xa9");  // e + combining acute, GREEK CAPITAL OMEGA
}

TEST(Bip32Test, PathsAndMalformedPaths) {
  auto seed = util::FromHex("000102030405060708090a0b0c0d0e0f");
  ASSERT_TRUE(seed);
  auto root = MasterKeyFromSeed(*seed);
  ASSERT_TRUE(root);
  auto a = DerivePath(*root, "m/0'/1/2'");
  auto b = DerivePath(*root, "m/0h/1/2h");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(ToBase58(*a), ToBase58(*b));
  EXPECT_EQ(a->depth, 3);
  // Public derivation of a non-hardened step agrees with private derivation.
  auto parent = DerivePath(*root, "m/0'");
  ASSERT_TRUE(parent);
  auto priv = DerivePrivateChild(*parent, 1);
  auto pub = DerivePublicChild(parent->Neuter(), 1);
  ASSERT_TRUE(priv && pub);
  EXPECT_EQ(ToBase58(priv->Neuter()), ToBase58(*pub));
  for (const char* bad : {"", "x", "m/", "m//1", "m/1''", "m/a", "m/2147483648", "m/1/"}) {
    EXPECT_FALSE(DerivePath(*root, bad)) << bad;
  }
  EXPECT_FALSE(MasterKeyFromSeed(util::Bytes(15, 1)));
  EXPECT_FALSE(
      PrivateFromBase58("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7"
                        "usUDFdp6W1EGMcet8"));
}

}  // namespace
}  // namespace blockstack::crypto
