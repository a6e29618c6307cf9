#include <util/bytes.h>

namespace blockstack::util {
namespace {

constexpr char HEX_DIGITS[] = "0123456789abcdef";

// 0 for each lowercase hex digit, 1 for every other byte.
constexpr std::array<uint8_t, 256> NOT_LOWER_HEX = [] {
  std::array<uint8_t, 256> t{};
  t.fill(1);
  for (char c : std::string_view("0123456789abcdef")) t[static_cast<uint8_t>(c)] = 0;
  return t;
}();

// The value of each hex digit (either case), -1 for every other byte.
constexpr std::array<int8_t, 256> HEX_VALUE = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<int8_t>(10 + i);
    t['A' + i] = static_cast<int8_t>(10 + i);
  }
  return t;
}();

}  // namespace

int HexDigitValue(char c) { return HEX_VALUE[static_cast<uint8_t>(c)]; }

std::string ToHex(ByteView data) {
  std::string out(data.size() * 2, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = HEX_DIGITS[data[i] >> 4];
    out[2 * i + 1] = HEX_DIGITS[data[i] & 0x0f];
  }
  return out;
}

bool IsHexOf(std::string_view hex, ByteView data) {
  if (hex.size() != 2 * data.size()) return false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (hex[2 * i] != HEX_DIGITS[data[i] >> 4] || hex[2 * i + 1] != HEX_DIGITS[data[i] & 0x0f]) return false;
  }
  return true;
}

std::optional<std::string> CanonicalHex(std::string_view hex, std::size_t length) {
  if (hex.size() != length || !IsHex(hex)) return std::nullopt;
  std::string out(hex);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsLowerHex(std::string_view hex, std::size_t length) {
  if (hex.size() != length) return false;
  // No early exit: the loop has no branch to mispredict (the stored-record encoder
  // asks this of every string it writes).
  uint8_t bad = 0;
  for (char c : hex) bad |= NOT_LOWER_HEX[static_cast<uint8_t>(c)];
  return bad == 0;
}

bool IsHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return false;
  for (char c : hex) {
    if (HexDigitValue(c) < 0) return false;
  }
  return true;
}

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Fail(ErrorCode::InvalidArgument, "hex string has odd length " + std::to_string(hex.size()));
  }
  // Blocks come from a Bitcoin node as megabytes of hex: a table per digit and
  // one check at the end (a bad digit makes `bad` negative) keep the loop free
  // of branches.
  Bytes out(hex.size() / 2);
  const auto* in = reinterpret_cast<const uint8_t*>(hex.data());
  int bad = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = HEX_VALUE[in[2 * i]];
    const int lo = HEX_VALUE[in[2 * i + 1]];
    bad |= hi | lo;
    out[i] = static_cast<uint8_t>(((hi & 0x0f) << 4) | (lo & 0x0f));
  }
  if (bad < 0) {
    for (std::size_t i = 0; i < hex.size(); ++i) {
      if (HEX_VALUE[in[i]] < 0) {
        return Fail(ErrorCode::InvalidArgument, "invalid hex character at offset " + std::to_string(i));
      }
    }
  }
  return out;
}

}  // namespace blockstack::util
