#include <util/biguint.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace blockstack::util {

BigUint::BigUint(uint64_t v) {
  if (v != 0) m_limbs.push_back(static_cast<uint32_t>(v));
  if (v >> 32 != 0) m_limbs.push_back(static_cast<uint32_t>(v >> 32));
}

void BigUint::Trim() {
  while (!m_limbs.empty() && m_limbs.back() == 0) m_limbs.pop_back();
}

BigUint& BigUint::MulSmall(uint32_t m) {
  uint64_t carry = 0;
  for (auto& limb : m_limbs) {
    uint64_t v = uint64_t{limb} * m + carry;
    limb = static_cast<uint32_t>(v);
    carry = v >> 32;
  }
  if (carry != 0) m_limbs.push_back(static_cast<uint32_t>(carry));
  Trim();
  return *this;
}

BigUint& BigUint::DivSmall(uint32_t d) {
  uint64_t rem = 0;
  for (auto it = m_limbs.rbegin(); it != m_limbs.rend(); ++it) {
    uint64_t cur = (rem << 32) | *it;
    *it = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  Trim();
  return *this;
}

BigUint BigUint::Pow(uint32_t exponent) const {
  BigUint result(1);
  // exponents here are at most 15 and bases small: repeated multiplication suffices
  for (uint32_t i = 0; i < exponent; ++i) {
    BigUint next;
    // result * (*this) with schoolbook multiplication
    next.m_limbs.assign(result.m_limbs.size() + m_limbs.size() + 1, 0);
    for (std::size_t a = 0; a < result.m_limbs.size(); ++a) {
      uint64_t carry = 0;
      for (std::size_t b = 0; b < m_limbs.size(); ++b) {
        uint64_t v = uint64_t{result.m_limbs[a]} * m_limbs[b] + next.m_limbs[a + b] + carry;
        next.m_limbs[a + b] = static_cast<uint32_t>(v);
        carry = v >> 32;
      }
      std::size_t k = a + m_limbs.size();
      while (carry != 0) {
        uint64_t v = uint64_t{next.m_limbs[k]} + carry;
        next.m_limbs[k++] = static_cast<uint32_t>(v);
        carry = v >> 32;
      }
    }
    next.Trim();
    result = std::move(next);
  }
  return result;
}

uint64_t BigUint::ToU64Saturated() const {
  if (!FitsU64()) return std::numeric_limits<uint64_t>::max();
  uint64_t v = 0;
  for (std::size_t i = m_limbs.size(); i-- > 0;) v = (v << 32) | m_limbs[i];
  return v;
}

double BigUint::ToDouble() const {
  if (m_limbs.empty()) return 0.0;
  // Bit length, then the top 64 bits and whether anything below them is set.
  const int top_bits = 32 - __builtin_clz(m_limbs.back());
  const int total_bits = static_cast<int>((m_limbs.size() - 1) * 32) + top_bits;
  if (total_bits <= 64) return static_cast<double>(ToU64Saturated());
  const int shift = total_bits - 64;  // bits dropped below the top 64
  uint64_t top = 0;
  bool sticky = false;
  for (int bit = total_bits - 1; bit >= 0; --bit) {
    bool set = (m_limbs[static_cast<std::size_t>(bit / 32)] >> (bit % 32)) & 1u;
    if (bit >= shift) {
      top = (top << 1) | (set ? 1 : 0);
    } else if (set) {
      sticky = true;
      break;
    }
  }
  // Round the 64-bit head to 53 bits: 11 bits go, plus the sticky bits below.
  uint64_t mantissa = top >> 11;
  uint64_t dropped = top & 0x7ff;
  const uint64_t half = 0x400;
  if (dropped > half || (dropped == half && (sticky || (mantissa & 1)))) ++mantissa;
  return std::ldexp(static_cast<double>(mantissa), shift + 11);
}

std::string BigUint::ToDecimal() const {
  if (m_limbs.empty()) return "0";
  BigUint tmp = *this;
  std::string out;
  while (!tmp.IsZero()) {
    BigUint q = tmp;
    q.DivSmall(10);
    BigUint back = q;
    back.MulSmall(10);
    // remainder = tmp - back, which is below 10 and fits the low limb
    uint32_t rem = tmp.m_limbs[0] - (back.m_limbs.empty() ? 0 : back.m_limbs[0]);
    out.push_back(static_cast<char>('0' + rem));
    tmp = std::move(q);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::strong_ordering BigUint::operator<=>(const BigUint& other) const {
  if (m_limbs.size() != other.m_limbs.size()) return m_limbs.size() <=> other.m_limbs.size();
  for (std::size_t i = m_limbs.size(); i-- > 0;) {
    if (m_limbs[i] != other.m_limbs[i]) return m_limbs[i] <=> other.m_limbs[i];
  }
  return std::strong_ordering::equal;
}

}  // namespace blockstack::util
