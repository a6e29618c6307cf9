// Byte containers and hex conversion.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <util/result.h>

namespace blockstack::util {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// Views the characters of a string as bytes (no copy; the string must outlive the view).
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lowercase hex of the bytes.
std::string ToHex(ByteView data);
// Decodes hex (either case). Fails with InvalidArgument on odd length or a non-hex char.
Result<Bytes> FromHex(std::string_view hex);
bool IsHex(std::string_view hex);
// Exactly `length` characters, each 0-9 or a-f (how hashes are written here).
bool IsLowerHex(std::string_view hex, std::size_t length);
// A hash160 as zone files and records are keyed here: 40 lowercase hex. The one
// test of "is this a zone-file hash" for every part.
inline bool IsHash160Hex(std::string_view hex) { return IsLowerHex(hex, 40); }
// Hex a user wrote in either case, lowercased; nullopt unless it is exactly
// `length` hex digits.
std::optional<std::string> CanonicalHex(std::string_view hex, std::size_t length);
// A hash160 a user wrote in either case, as it is keyed (lowercase).
inline std::optional<std::string> CanonicalHash160Hex(std::string_view hex) { return CanonicalHex(hex, 40); }
// Whether `hex` is exactly ToHex(data), without building it.
bool IsHexOf(std::string_view hex, ByteView data);
// The value of one hex digit, or -1.
int HexDigitValue(char c);

// A fixed-size byte string (hashes, keys). Value type, ordered, hashable by std::hash below.
template <std::size_t N>
struct FixedBytes {
  std::array<uint8_t, N> data{};

  static constexpr std::size_t size() { return N; }
  uint8_t* begin() { return data.data(); }
  uint8_t* end() { return data.data() + N; }
  const uint8_t* begin() const { return data.data(); }
  const uint8_t* end() const { return data.data() + N; }
  uint8_t& operator[](std::size_t i) { return data[i]; }
  const uint8_t& operator[](std::size_t i) const { return data[i]; }
  ByteView view() const { return {data.data(), N}; }
  operator ByteView() const { return view(); }  // NOLINT: hashes are used as byte views everywhere
  bool IsZero() const {
    for (auto b : data) {
      if (b != 0) return false;
    }
    return true;
  }
  std::string Hex() const { return ToHex(view()); }
  // Hex of the bytes in reverse order (how Bitcoin displays txids and block hashes).
  std::string ReversedHex() const {
    std::array<uint8_t, N> r;
    for (std::size_t i = 0; i < N; ++i) r[i] = data[N - 1 - i];
    return ToHex(ByteView(r.data(), N));
  }
  static Result<FixedBytes> FromView(ByteView b) {
    if (b.size() != N) {
      return Fail(ErrorCode::InvalidArgument,
                  "expected " + std::to_string(N) + " bytes, got " + std::to_string(b.size()));
    }
    FixedBytes out;
    std::memcpy(out.data.data(), b.data(), N);
    return out;
  }
  static Result<FixedBytes> FromHex(std::string_view hex) {
    auto bytes = util::FromHex(hex);
    if (!bytes) return Fail(bytes.error());
    return FromView(*bytes);
  }
  // Parses the display form (reversed byte order).
  static Result<FixedBytes> FromReversedHex(std::string_view hex) {
    auto out = FromHex(hex);
    if (out) std::reverse(out->data.begin(), out->data.end());
    return out;
  }
  auto operator<=>(const FixedBytes&) const = default;
  bool operator==(const FixedBytes&) const = default;
};

using Hash256 = FixedBytes<32>;
using Hash160 = FixedBytes<20>;

}  // namespace blockstack::util

template <std::size_t N>
struct std::hash<blockstack::util::FixedBytes<N>> {
  std::size_t operator()(const blockstack::util::FixedBytes<N>& b) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, b.data.data(), sizeof(h) < N ? sizeof(h) : N);
    return h;
  }
};
