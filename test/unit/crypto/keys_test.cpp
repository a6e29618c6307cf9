#include <crypto/keys.h>

#include <gtest/gtest.h>

#include <crypto/base58check.h>
#include <crypto/hash.h>

#include "testutil/vectors.h"

namespace blockstack::crypto {
namespace {

using util::AsBytes;

std::string Address(const PublicKey& k, uint8_t version) {
  util::Bytes payload{version};
  auto h = Hash160Of(k.Serialize());
  payload.insert(payload.end(), h.begin(), h.end());
  return EncodeBase58Check(payload);
}

// n - s for a 32-byte big-endian s: the high-S twin of a signature.
std::array<uint8_t, 64> FlipS(std::array<uint8_t, 64> rs) {
  static const auto n = *util::FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - rs[32 + i] - borrow;
    borrow = d < 0 ? 1 : 0;
    rs[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  return rs;
}

TEST(KeysTest, TestKeysVectors) {
  auto v = testutil::LoadVectors("gaia/test_keys.json");
  int checked = 0;
  for (const auto& k : testutil::Cases(v, "keys")) {
    auto pub = PublicKey::FromHex(k["publicKeyHex"].get<std::string>());
    ASSERT_TRUE(pub);
    EXPECT_EQ(Address(*pub, 0x00), k["address"]);
    if (k["privateKeyHex"].is_string()) {
      auto priv = PrivateKey::FromHex(k["privateKeyHex"].get<std::string>());
      ASSERT_TRUE(priv);
      EXPECT_EQ(priv->GetPublicKey().Hex(), k["publicKeyHex"]);
      ++checked;
    }
    if (k["wif"].is_string()) {
      uint8_t version = 0;
      auto priv = PrivateKey::FromWif(k["wif"].get<std::string>(), &version);
      ASSERT_TRUE(priv);
      EXPECT_EQ(version, 0x80);
      EXPECT_TRUE(priv->IsCompressed());
      EXPECT_EQ(priv->Hex(), k["privateKeyHex"]);
      EXPECT_EQ(priv->ToWif(0x80), k["wif"]);
    }
  }
  EXPECT_EQ(checked, 6);
}

TEST(KeysTest, SignatureVectors) {
  auto v = testutil::LoadVectors("gaia/signatures.json");
  for (const auto& c : testutil::Cases(v, "vectors")) {
    if (!c.contains("contentUtf8")) continue;
    auto pub = PublicKey::FromHex(c["publicKeyHex"].get<std::string>());
    ASSERT_TRUE(pub);
    auto digest = Sha256(AsBytes(c["contentUtf8"].get<std::string>()));
    auto sig = util::FromHex(c["signatureDerHex"].get<std::string>());
    EXPECT_EQ(pub->VerifyDer(digest, *sig), c["verify"].get<bool>()) << c["name"];
    if (c.contains("privateKeyHex")) {
      auto priv = PrivateKey::FromHex(c["privateKeyHex"].get<std::string>());
      EXPECT_EQ(digest.Hex(), c["sha256Hex"]);
      // RFC 6979 makes signing deterministic: the same bytes as the JS client.
      EXPECT_EQ(util::ToHex(priv->SignDer(digest)), c["signatureDerHex"]);
    }
  }
}

TEST(KeysTest, HighSAcceptedOnlyWhenAllowed) {
  auto priv = PrivateKey::Generate();
  auto digest = Sha256(AsBytes("message"));
  auto low = priv.SignCompact(digest);
  auto high = FlipS(low);
  auto pub = priv.GetPublicKey();
  EXPECT_TRUE(pub.VerifyCompact(digest, low, SPolicy::RequireLowS));
  EXPECT_FALSE(pub.VerifyCompact(digest, high, SPolicy::RequireLowS));
  EXPECT_TRUE(pub.VerifyCompact(digest, high, SPolicy::AcceptHighS));
  auto high_der = CompactToDer(high);
  ASSERT_TRUE(high_der);
  EXPECT_TRUE(pub.VerifyDer(digest, *high_der));
  EXPECT_FALSE(pub.VerifyDer(digest, *high_der, SPolicy::RequireLowS));
}

TEST(KeysTest, DerAndCompactAgree) {
  auto priv = PrivateKey::Generate();
  auto digest = Sha256(AsBytes("x"));
  auto der = priv.SignDer(digest);
  auto rs = DerToCompact(der);
  ASSERT_TRUE(rs);
  EXPECT_EQ(*rs, priv.SignCompact(digest));
  EXPECT_EQ(*CompactToDer(*rs), der);
}

TEST(KeysTest, VerifyRejectsGarbage) {
  auto pub = PrivateKey::Generate().GetPublicKey();
  auto digest = Sha256(AsBytes("x"));
  EXPECT_FALSE(pub.VerifyDer(digest, {}));
  EXPECT_FALSE(pub.VerifyDer(digest, util::Bytes(70, 0x30)));
  EXPECT_FALSE(pub.VerifyCompact(digest, util::Bytes(63)));
  EXPECT_FALSE(DerToCompact(util::Bytes{0x30, 0x00}));
}

TEST(KeysTest, UncompressedKeysRoundTrip) {
  auto priv = PrivateKey::Generate(false);
  auto pub = priv.GetPublicKey();
  EXPECT_FALSE(pub.IsCompressed());
  auto bytes = pub.Serialize();
  ASSERT_EQ(bytes.size(), 65u);
  auto parsed = PublicKey::Parse(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Serialize(true), pub.Serialize(true));
  EXPECT_FALSE(parsed->IsCompressed());
  auto digest = Sha256(AsBytes("y"));
  EXPECT_TRUE(parsed->VerifyDer(digest, priv.SignDer(digest)));
  // WIF keeps the compression flag.
  auto wif = priv.ToWif(0xef);
  uint8_t version = 0;
  auto back = PrivateKey::FromWif(wif, &version);
  ASSERT_TRUE(back);
  EXPECT_EQ(version, 0xef);
  EXPECT_FALSE(back->IsCompressed());
}

TEST(KeysTest, RejectsBadKeys) {
  EXPECT_FALSE(PrivateKey::FromBytes(util::Bytes(32, 0)));
  EXPECT_FALSE(PrivateKey::FromBytes(util::Bytes(32, 0xff)));
  EXPECT_FALSE(PrivateKey::FromBytes(util::Bytes(31, 1)));
  util::Bytes beyond_field(33, 0xff);  // x above the field prime
  beyond_field[0] = 0x02;
  EXPECT_FALSE(PublicKey::Parse(beyond_field));
  auto hybrid = PrivateKey::Generate(false).GetPublicKey().Serialize();
  hybrid[0] = 0x06;
  EXPECT_FALSE(PublicKey::Parse(hybrid));
  EXPECT_FALSE(PublicKey::FromHex("02"));
  EXPECT_FALSE(PrivateKey::FromWif("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
                                   "x"));
}

TEST(KeysTest, AcceptsJsStyleCompressedHex) {
  auto priv = PrivateKey::FromHex("a5c61c6ca7b3e7e55edee68566aeab22e4da26baa285c7bd10e8d2218aa3b22901");
  ASSERT_TRUE(priv);
  EXPECT_EQ(priv->GetPublicKey().Hex(), "027d28f9951ce46538951e3697c62588a87f1f1f295de4a14fdd4c780fc52cfe69");
}

TEST(KeysTest, EcdhIsSymmetric) {
  auto a = PrivateKey::Generate();
  auto b = PrivateKey::Generate();
  auto ab = a.EcdhX(b.GetPublicKey());
  auto ba = b.EcdhX(a.GetPublicKey());
  ASSERT_TRUE(ab);
  ASSERT_TRUE(ba);
  EXPECT_EQ(*ab, *ba);
  // The x coordinate of a*B is the x of the compressed point.
  auto other = PrivateKey::Generate();
  EXPECT_NE(*ab, *a.EcdhX(other.GetPublicKey()));
}

TEST(KeysTest, EcdhMatchesScalarMultiplication) {
  // 1 * P has P's own x coordinate.
  util::Bytes one(32, 0);
  one[31] = 1;
  auto k = PrivateKey::FromBytes(one);
  auto p = PrivateKey::Generate().GetPublicKey();
  auto x = k->EcdhX(p);
  ASSERT_TRUE(x);
  auto ser = p.Serialize(true);
  EXPECT_EQ(x->Hex(), util::ToHex(util::ByteView(ser).subspan(1)));
}

}  // namespace
}  // namespace blockstack::crypto
