// Content-addressed records in a DHT (spec atlas.md §5, "DHT with OpenDHT"): a
// record lives under its own hash160; a record larger than one DHT value is cut
// into chunks, each stored under its own hash, and the record's key holds a
// manifest listing them. Everything read back is checked against the hash it was
// asked by, so junk put under a key is ignored.
//
// This file is the pure part (no network): chunking and manifests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <util/result.h>

namespace blockstack::dht {

// hash160 of the bytes, 40 lowercase hex characters (given by the caller: this
// part depends on util only).
using Hasher = std::function<std::string(std::string_view)>;

inline constexpr std::size_t CHUNK_BYTES = 32 * 1024;     // under OpenDHT's 64 KiB value limit
inline constexpr std::size_t MAX_CHUNKS = 256;            // so a record is at most 8 MiB
inline constexpr std::size_t MAX_RECORD_BYTES = CHUNK_BYTES * MAX_CHUNKS;
inline constexpr const char* MANIFEST_TYPE = "bsk-manifest-v1";

struct Manifest {
  uint64_t size = 0;                // the whole record's length
  std::vector<std::string> chunks;  // hash160 hex of each chunk, in order
};

// "bsk-manifest-v1 <size> <hash> <hash> ..." (ASCII, space-separated).
std::string EncodeManifest(const Manifest& m);
// Refuses (InvalidArgument) anything malformed: a wrong prefix, a size that does
// not fit the chunk count, more than MAX_CHUNKS chunks, hashes that are not 40
// lowercase hex characters, or a chunk hash equal to `self` (a loop).
util::Result<Manifest> DecodeManifest(std::string_view text, std::string_view self);

// The chunks of a record (all CHUNK_BYTES but the last).
std::vector<std::string> SplitChunks(std::string_view record);

// Joins fetched chunks, each checked against its hash and the total against the
// manifest's size and the record's own hash. Fails with Corruption naming what
// does not match.
util::Result<std::string> JoinChunks(const Manifest& m, const std::vector<std::string>& chunks,
                                     std::string_view record_hash, const Hasher& hash160);

}  // namespace blockstack::dht
