// A small unsigned big integer for consensus arithmetic that must not overflow
// (BNS prices: coeff x base^15 x unit can exceed 128 bits). Only what the
// pricing rules need: multiply and divide by small numbers, compare, convert.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace blockstack::util {

class BigUint {
 public:
  BigUint() = default;
  explicit BigUint(uint64_t v);

  BigUint& MulSmall(uint32_t m);
  // Floor division; d must be non-zero.
  BigUint& DivSmall(uint32_t d);
  BigUint Pow(uint32_t exponent) const;  // this^exponent

  bool IsZero() const { return m_limbs.empty(); }
  bool FitsU64() const { return m_limbs.size() <= 2; }
  // Saturates at UINT64_MAX.
  uint64_t ToU64Saturated() const;
  // Correctly rounded (nearest, ties to even), as Python's float(int).
  double ToDouble() const;
  std::string ToDecimal() const;

  std::strong_ordering operator<=>(const BigUint& other) const;
  bool operator==(const BigUint& other) const = default;

 private:
  void Trim();
  std::vector<uint32_t> m_limbs;  // little-endian base 2^32, no trailing zero limbs
};

}  // namespace blockstack::util
