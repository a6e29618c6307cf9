#include <util/base58.h>

#include <gtest/gtest.h>

#include <random>

namespace blockstack::util {
namespace {

TEST(Base58Test, EncodesKnownValues) {
  EXPECT_EQ(EncodeBase58(*FromHex("")), "");
  EXPECT_EQ(EncodeBase58(*FromHex("61")), "2g");
  EXPECT_EQ(EncodeBase58(*FromHex("626262")), "a3gV");
  EXPECT_EQ(EncodeBase58(*FromHex("0000287fb4cd")), "11233QC4");
  EXPECT_EQ(EncodeBase58(*FromHex("516b6fcd0f")), "ABnLTmg");
}

// Base 58 one digit at a time, the plain long division, to check the encoder against.
std::string ReferenceBase58(ByteView data) {
  static constexpr char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  std::vector<uint8_t> number(data.begin(), data.end());
  std::string reversed;
  std::size_t start = 0;
  while (start < number.size() && number[start] == 0) ++start;
  const std::size_t zeros = start;
  while (start < number.size()) {
    int remainder = 0;
    for (std::size_t i = start; i < number.size(); ++i) {
      const int v = remainder * 256 + number[i];
      number[i] = static_cast<uint8_t>(v / 58);
      remainder = v % 58;
    }
    reversed.push_back(ALPHABET[remainder]);
    while (start < number.size() && number[start] == 0) ++start;
  }
  return std::string(zeros, '1') + std::string(reversed.rbegin(), reversed.rend());
}

TEST(Base58Test, MatchesLongDivisionAndRoundTrips) {
  std::mt19937 rng(58);
  for (int n = 0; n < 2000; ++n) {
    Bytes data(static_cast<std::size_t>(rng() % 90));
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    // Leading zero bytes, runs of 0xff and all-zero inputs.
    if (n % 5 == 0) std::fill(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(data.size() / 3), 0);
    if (n % 7 == 0) std::fill(data.begin(), data.end(), 0xff);
    if (n % 11 == 0) std::fill(data.begin(), data.end(), 0);
    const std::string encoded = EncodeBase58(data);
    ASSERT_EQ(encoded, ReferenceBase58(data)) << ToHex(data);
    auto decoded = DecodeBase58(encoded);
    ASSERT_TRUE(decoded) << encoded;
    ASSERT_EQ(ToHex(*decoded), ToHex(data));
  }
}

TEST(Base58Test, DecodeRoundTrip) {
  auto r = DecodeBase58("11233QC4");
  ASSERT_TRUE(r);
  EXPECT_EQ(ToHex(*r), "0000287fb4cd");
}

TEST(Base58Test, RejectsCharactersOutsideAlphabet) {
  for (auto bad : {"0", "O", "I", "l", "abc ", " abc", "a+b"}) {
    auto r = DecodeBase58(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  }
}

TEST(Base58Test, RejectsOverlongInput) {
  auto r = DecodeBase58(std::string(MAX_BASE58_LENGTH + 1, '2'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::TooLarge);
}

}  // namespace
}  // namespace blockstack::util
