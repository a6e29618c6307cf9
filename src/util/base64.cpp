#include <util/base64.h>

#include <array>

namespace blockstack::util {
namespace {

constexpr char STD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> MakeIndex() {
  std::array<int8_t, 256> idx{};
  for (auto& v : idx) v = -1;
  for (int i = 0; i < 64; ++i) {
    idx[static_cast<uint8_t>(STD[i])] = static_cast<int8_t>(i);
    idx[static_cast<uint8_t>(URL[i])] = static_cast<int8_t>(i);
  }
  return idx;
}
constexpr auto INDEX = MakeIndex();

std::string Encode(ByteView data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  std::size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

}  // namespace

std::string EncodeBase64(ByteView data) { return Encode(data, STD, true); }
std::string EncodeBase64Url(ByteView data) { return Encode(data, URL, false); }

Result<Bytes> DecodeBase64(std::string_view text) {
  std::size_t end = text.size();
  std::size_t pads = 0;
  while (end > 0 && text[end - 1] == '=' && pads < 2) {
    --end;
    ++pads;
  }
  if (pads > 0 && text.size() % 4 != 0) return Fail(ErrorCode::InvalidArgument, "base64 padding in the wrong place");
  if (end % 4 == 1) return Fail(ErrorCode::InvalidArgument, "impossible base64 length");
  Bytes out;
  out.reserve(end * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < end; ++i) {
    int v = INDEX[static_cast<uint8_t>(text[i])];
    if (v < 0) return Fail(ErrorCode::InvalidArgument, "invalid base64 character at offset " + std::to_string(i));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

}  // namespace blockstack::util
