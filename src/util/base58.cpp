#include <util/base58.h>

#include <array>

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
  // log(256)/log(58) ~ 1.37
  std::vector<uint8_t> b58((data.size() - zeros) * 138 / 100 + 1);
  std::size_t length = 0;
  for (std::size_t i = zeros; i < data.size(); ++i) {
    int carry = data[i];
    std::size_t j = 0;
    for (auto it = b58.rbegin(); (carry != 0 || j < length) && it != b58.rend(); ++it, ++j) {
      carry += 256 * (*it);
      *it = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    length = j;
  }
  auto it = b58.begin() + static_cast<std::ptrdiff_t>(b58.size() - length);
  while (it != b58.end() && *it == 0) ++it;
  std::string out(zeros, '1');
  for (; it != b58.end(); ++it) out.push_back(ALPHABET[*it]);
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
