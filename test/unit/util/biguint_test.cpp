#include <util/biguint.h>

#include <gtest/gtest.h>

#include <cmath>

namespace blockstack::util {
namespace {

TEST(BigUintTest, ArithmeticAndDecimal) {
  BigUint v(255);
  BigUint p = v.Pow(16);
  EXPECT_EQ(p.ToDecimal(), "319626579315078487616775634918212890625");
  p.DivSmall(5);
  EXPECT_EQ(p.ToDecimal(), "63925315863015697523355126983642578125");
  BigUint m(0xffffffffffffffffULL);
  m.MulSmall(2);
  EXPECT_EQ(m.ToDecimal(), "36893488147419103230");
  EXPECT_FALSE(m.FitsU64());
  EXPECT_EQ(m.ToU64Saturated(), UINT64_MAX);
  EXPECT_EQ(BigUint(0).ToDecimal(), "0");
  EXPECT_TRUE(BigUint(7).Pow(0) == BigUint(1));
}

TEST(BigUintTest, ComparisonAndDouble) {
  EXPECT_LT(BigUint(5), BigUint(6));
  EXPECT_GT(BigUint(1).Pow(1).MulSmall(3), BigUint(2));
  EXPECT_EQ(BigUint(1ULL << 53).ToDouble(), 9007199254740992.0);
  // 2^53 + 1 rounds to even (2^53); 2^53 + 3 rounds up to 2^53 + 4
  EXPECT_EQ(BigUint((1ULL << 53) + 1).ToDouble(), 9007199254740992.0);
  EXPECT_EQ(BigUint((1ULL << 53) + 3).ToDouble(), 9007199254740996.0);
  BigUint big = BigUint(255).Pow(16);
  EXPECT_DOUBLE_EQ(big.ToDouble(), 3.19626579315078487616775634918212890625e38);
  // Above 64 bits, ties round to even: 2^70 + 2^17 is half an ulp above 2^70,
  // 2^70 + 3 * 2^17 half an ulp below 2^70 + 2^19.
  EXPECT_EQ(BigUint((1ULL << 53) + 1).MulSmall(1 << 17).ToDouble(), std::ldexp(1.0, 70));
  EXPECT_EQ(BigUint((1ULL << 53) + 3).MulSmall(1 << 17).ToDouble(), std::ldexp(1.0, 70) + std::ldexp(1.0, 19));
}

}  // namespace
}  // namespace blockstack::util
