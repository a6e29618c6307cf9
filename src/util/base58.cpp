#include <util/base58.h>

#include <array>
#include <vector>

namespace blockstack::util {
namespace {

constexpr char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

constexpr std::array<int8_t, 256> MakeIndex() {
  std::array<int8_t, 256> idx{};
  for (auto& v : idx) v = -1;
  for (int i = 0; i < 58; ++i) idx[static_cast<uint8_t>(ALPHABET[i])] = static_cast<int8_t>(i);
  return idx;
}
constexpr auto INDEX = MakeIndex();

}  // namespace

std::string EncodeBase58(ByteView data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // The number in limbs of nine base-58 digits, least significant first: a byte
  // costs one multiply-add per limb instead of one per digit. limb * 256 + carry
  // stays below 2^61.
  constexpr uint64_t LIMB = 7427658739644928;  // 58^9
  constexpr int LIMB_DIGITS = 9;
  std::vector<uint64_t> limbs;
  limbs.reserve((data.size() - zeros) * 138 / 100 / LIMB_DIGITS + 2);
  for (std::size_t i = zeros; i < data.size(); ++i) {
    uint64_t carry = data[i];
    for (auto& limb : limbs) {
      const uint64_t v = limb * 256 + carry;
      limb = v % LIMB;
      carry = v / LIMB;
    }
    if (carry != 0) limbs.push_back(carry);  // carry < 256 < LIMB
  }
  std::string out(zeros, '1');
  out.reserve(zeros + limbs.size() * LIMB_DIGITS);
  for (std::size_t l = limbs.size(); l-- > 0;) {
    char digits[LIMB_DIGITS];
    uint64_t v = limbs[l];
    for (int d = LIMB_DIGITS - 1; d >= 0; --d) {
      digits[d] = ALPHABET[v % 58];
      v /= 58;
    }
    int first = 0;
    if (l + 1 == limbs.size()) {  // the leading limb: no leading zero digits
      while (first < LIMB_DIGITS - 1 && digits[first] == '1') ++first;
    }
    out.append(digits + first, digits + LIMB_DIGITS);
  }
  return out;
}

Result<Bytes> DecodeBase58(std::string_view text) {
  if (text.size() > MAX_BASE58_LENGTH) {
    return Fail(ErrorCode::TooLarge, "base58 string longer than " + std::to_string(MAX_BASE58_LENGTH));
  }
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // log(58)/log(256) ~ 0.733
  std::vector<uint8_t> b256((text.size() - zeros) * 733 / 1000 + 1);
  std::size_t length = 0;
  for (std::size_t i = zeros; i < text.size(); ++i) {
    int carry = INDEX[static_cast<uint8_t>(text[i])];
    if (carry < 0) {
      return Fail(ErrorCode::InvalidArgument, "invalid base58 character at offset " + std::to_string(i));
    }
    std::size_t j = 0;
    for (auto it = b256.rbegin(); (carry != 0 || j < length) && it != b256.rend(); ++it, ++j) {
      carry += 58 * (*it);
      *it = static_cast<uint8_t>(carry % 256);
      carry /= 256;
    }
    length = j;
  }
  auto it = b256.begin() + static_cast<std::ptrdiff_t>(b256.size() - length);
  Bytes out(zeros, 0);
  out.insert(out.end(), it, b256.end());
  return out;
}

}  // namespace blockstack::util
