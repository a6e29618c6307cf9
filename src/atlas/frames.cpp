#include <atlas/frames.h>

#include <algorithm>

#include <crypto/hash.h>
#include <util/serialize.h>

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
  struct Frame {
    util::Hash160 key;
    util::ByteView bytes;
  };
  util::ByteReader r(util::AsBytes(body));
  auto next = [&r]() -> util::Result<Frame> {
    BS_TRY(auto key, r.Fixed<20>());
    BS_TRY(const uint32_t n, r.U32BE());
    BS_TRY(auto bytes, r.Take(n));
    return Frame{key, bytes};
  };
  FetchedZonefiles out;
  while (!r.AtEnd()) {
    auto frame = next();
    if (!frame) return Fail(ErrorCode::Corruption, "peer " + peer + " sent a truncated frame");
    const std::string hash = frame->key.Hex();
    const std::string_view bytes = util::AsChars(frame->bytes);
    bool was_asked = std::find(asked.begin(), asked.end(), hash) != asked.end();
    if (!was_asked || bytes.size() > MAX_ZONEFILE_BYTES || out.files.count(hash) || ZonefileHash(bytes) != hash) {
      ++out.bad;
      continue;
    }
    out.files.emplace(hash, std::string(bytes));
  }
  return out;
}

}  // namespace blockstack::atlas
