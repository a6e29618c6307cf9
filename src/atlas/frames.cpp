#include <atlas/frames.h>

#include <algorithm>

#include <crypto/hash.h>

namespace blockstack::atlas {

using util::ErrorCode;
using util::Fail;

std::string ZonefileHash(std::string_view zonefile) { return crypto::Hash160Of(util::AsBytes(zonefile)).Hex(); }

void AppendZonefileFrame(std::string& out, const std::string& hash_hex, std::string_view bytes) {
  auto raw = util::FromHex(hash_hex);
  out.append(raw->begin(), raw->end());
  uint32_t n = static_cast<uint32_t>(bytes.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(bytes);
}

util::Result<FetchedZonefiles> ParseZonefileFrames(std::string_view body, const std::vector<std::string>& asked,
                                                   const std::string& peer) {
  FetchedZonefiles out;
  std::size_t at = 0;
  while (at < body.size()) {
    if (body.size() - at < 24) return Fail(ErrorCode::Corruption, "peer " + peer + " sent a truncated frame");
    std::string hash = util::ToHex(util::ByteView(reinterpret_cast<const uint8_t*>(body.data() + at), 20));
    uint32_t n = 0;
    for (int k = 0; k < 4; ++k) n = (n << 8) | static_cast<uint8_t>(body[at + 20 + static_cast<std::size_t>(k)]);
    at += 24;
    if (n > body.size() - at) return Fail(ErrorCode::Corruption, "peer " + peer + " sent a truncated frame");
    std::string_view bytes = body.substr(at, n);
    at += n;
    bool was_asked = std::find(asked.begin(), asked.end(), hash) != asked.end();
    if (!was_asked || n > MAX_ZONEFILE_BYTES || out.files.count(hash) || ZonefileHash(bytes) != hash) {
      ++out.bad;
      continue;
    }
    out.files.emplace(hash, std::string(bytes));
  }
  return out;
}

}  // namespace blockstack::atlas
