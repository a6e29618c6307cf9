// Zone files (spec atlas.md §2): a strict reader of the RFC 1035 master-file subset
// that Blockstack zone files use, their JSON form (as zone-file-js produces it),
// the profile URLs they point at, and a builder for new ones.
//
// The reader never decides whether a zone file is valid for Atlas: only its hash
// does (§1.1). Read a file to use its records; never rebuild one to check a hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <util/result.h>

namespace blockstack::zonefile {

// Largest zone file accepted anywhere (RPC_MAX_ZONEFILE_LEN).
inline constexpr std::size_t MAX_ZONEFILE_BYTES = 40960;

struct ResourceRecord {
  std::string name;             // owner as written ("@", "_http._tcp", "www"); "" never
  std::optional<uint32_t> ttl;  // when the record gives one
  std::string type;             // upper case: "URI", "TXT", "A", ...
  // The rdata fields, with quotes removed and escapes resolved. A TXT record has
  // one field per character string.
  std::vector<std::string> fields;
};

struct Zonefile {
  std::optional<std::string> origin;  // $ORIGIN, without a trailing dot
  std::optional<uint32_t> ttl;        // $TTL
  std::vector<ResourceRecord> records;
};

// Reads a zone file. Fails with InvalidArgument (naming the line) on anything it
// does not understand: unknown directives or record types, wrong field counts,
// unterminated quotes or parentheses, numbers out of range; TooLarge over
// MAX_ZONEFILE_BYTES. Comments (";") and parenthesised multi-line records are
// handled; a line starting with blanks reuses the previous owner.
//
// as_clients reads as the original clients did (npm zone-file, which
// blockstack.js uses): a $ORIGIN or $TTL line takes its first word and ignores
// the rest. Without it, the node's stricter judgement.
struct ReadOptions {
  bool as_clients = false;
};
util::Result<Zonefile> ParseZonefile(std::string_view text, const ReadOptions& options = {});

// The JSON form: {"$origin", "$ttl", "uri": [...], "txt": [...], "a": [...], ...}
// with the field names zone-file-js uses; empty arrays are left out.
nlohmann::json ToJson(const Zonefile& zonefile);

// The URI records' targets in file order, a scheme-less target given "https://"
// (§2.3), leaving out "_resolver" (a domain's registrar, not a profile). Profile
// lookups try them in this order.
std::vector<std::string> UriTargets(const Zonefile& zonefile);

// The target of the first "_resolver" URI record (a domain's subdomain
// registrar), as written.
std::optional<std::string> ResolverUri(const Zonefile& zonefile);

// A new zone file in blockstack.js style: "$ORIGIN name\n$TTL ttl\n" then one
// "_http._tcp\tIN\tURI\t10\t1\t\"url\"" line per URL, ending with a blank line.
std::string MakeZonefile(std::string_view origin, const std::vector<std::string>& urls, uint32_t ttl = 3600);

// Where the original node keeps a zone file under its zonefiles directory (§1.7):
// "c5/f5/<hash>.txt", and the legacy "c5/f5/b4/.../zonefile.txt".
std::string StoragePath(std::string_view hash_hex);
std::string LegacyStoragePath(std::string_view hash_hex);

}  // namespace blockstack::zonefile
