#include <crypto/hash.h>

#include <gtest/gtest.h>

#include "testutil/vectors.h"

namespace blockstack::crypto {
namespace {

using util::AsBytes;
using util::ToHex;

TEST(HashTest, Sha256AndSha512Vectors) {
  auto v = testutil::LoadVectors("gaia/primitives.json");
  for (const auto& c : testutil::Cases(v, "sha2")) {
    std::string in = c["inputUtf8"];
    EXPECT_EQ(Sha256(AsBytes(in)).Hex(), c["sha256Hex"]);
    EXPECT_EQ(Sha512(AsBytes(in)).Hex(), c["sha512Hex"]);
  }
}

TEST(HashTest, Ripemd160Vectors) {
  auto v = testutil::LoadVectors("gaia/primitives.json");
  for (const auto& c : testutil::Cases(v, "ripemd160")) {
    std::string in = c[0];
    EXPECT_EQ(Ripemd160(AsBytes(in)).Hex(), c[1]);
  }
}

TEST(HashTest, HmacSha256Vector) {
  auto v = testutil::LoadVectors("gaia/primitives.json")["hmacSha256"];
  auto key = util::FromHex(v["keyHex"].get<std::string>());
  auto data = util::FromHex(v["dataHex"].get<std::string>());
  EXPECT_EQ(HmacSha256(*key, *data).Hex(), v["macHex"]);
}

TEST(HashTest, Hash160AndHash128FromBnsVectors) {
  auto v = testutil::LoadVectors("bns/hashing.json");
  int checked = 0;
  for (const auto& c : testutil::Cases(v, "vectors")) {
    std::string in = c.value("input", "");
    if (c["kind"] == "hash160_ascii") {
      EXPECT_EQ(Hash160Of(AsBytes(in)).Hex(), c["expected_hex"]);
      ++checked;
    } else if (c["kind"] == "hash128_ascii") {
      EXPECT_EQ(Sha256(AsBytes(in)).Hex().substr(0, 32), c["expected_hex"]);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}

TEST(HashTest, Sha256dOfEmptyString) {
  EXPECT_EQ(Sha256d({}).Hex(), "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
}

TEST(HashTest, IncrementalMatchesOneShot) {
  std::string a = "abcdbcdecdefdefgefghfghighijhijk";
  std::string b = "ijkljklmklmnlmnomnopnopq";
  Sha256Hasher h;
  h.Update(AsBytes(a)).Update(AsBytes(b));
  EXPECT_EQ(h.Finish(), Sha256(AsBytes(a + b)));
  // The hasher is reusable after Finish.
  h.Update(AsBytes("abc"));
  EXPECT_EQ(h.Finish(), Sha256(AsBytes("abc")));
}

TEST(HashTest, IncrementalMd5MatchesOneShot) {
  std::string a(100000, 'x');
  std::string b = "tail";
  Md5Hasher h;
  h.Update(AsBytes(a)).Update(AsBytes(b));
  EXPECT_EQ(h.Finish(), Md5(AsBytes(a + b)));
  Md5Hasher empty;
  EXPECT_EQ(util::ToHex(empty.Finish()), "d41d8cd98f00b204e9800998ecf8427e");
}

}  // namespace
}  // namespace blockstack::crypto
