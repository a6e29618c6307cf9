// Zone-file hashes and the binary frames peers answer zone-file requests with
// (doc/atlas.md). Pure (crypto and util only), so the fuzz build carries it too.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <util/result.h>
#include <zonefile/zonefile.h>

namespace blockstack::atlas {

// Largest zone file accepted (the reference's limit).
inline constexpr std::size_t MAX_ZONEFILE_BYTES = zonefile::MAX_ZONEFILE_BYTES;

// hash160 of the bytes, lowercase hex.
std::string ZonefileHash(std::string_view zonefile);

// The binary answer to a zone-file request: for each file, its 20-byte hash, its
// length as 4 bytes big-endian, then its bytes. Asked for with this Accept type.
inline constexpr const char* ZONEFILE_FRAMES_TYPE = "application/x-blockstack-zonefiles";
void AppendZonefileFrame(std::string& out, const std::string& hash_hex, std::string_view bytes);

struct FetchedZonefiles {
  std::map<std::string, std::string> files;  // hash -> bytes; each checked against its hash
  std::size_t bad = 0;                       // unsolicited, oversized or not matching its hash
};

// Reads a peer's frames (untrusted bytes). Keeps each file that was asked for, is
// at most MAX_ZONEFILE_BYTES and hashes to its frame's hash, once; counts the rest
// in bad. A frame cut short fails with Corruption (peer names the sender).
util::Result<FetchedZonefiles> ParseZonefileFrames(std::string_view body, const std::vector<std::string>& asked,
                                                   const std::string& peer);

}  // namespace blockstack::atlas
