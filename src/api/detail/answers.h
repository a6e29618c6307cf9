// Answers shared by the REST API's route files: the original node's error shape,
// query parsing and zone-file answers. Private to api/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <net/http_server.h>
#include <util/result.h>

namespace blockstack::subdomain {
struct SubdomainState;
}

namespace blockstack::api::detail {

inline constexpr uint32_t NAMES_PER_PAGE = 100;
inline constexpr uint32_t HISTORY_PER_PAGE = 20;
// The original's answer for a name past its grace period.
inline constexpr const char* NAME_EXPIRED = "Name expired";
inline constexpr const char* NO_SUBDOMAIN_INDEX = "Subdomains are not indexed on this node (Atlas is off)";

// {"error": message} with status.
net::Response Error(unsigned status, const std::string& message);
// 200 with body.
net::Response Ok(const nlohmann::json& body);
// A failure to read the node's stores: 503 (with its message) while an index is
// still being built, otherwise 502, logged.
net::Response Backend(const util::Error& e);

// A decimal below 2^32, or nullopt.
std::optional<uint32_t> ParseUint(const std::string& text);
// Whether query[key] is "true" or "1".
bool Truthy(const std::map<std::string, std::string>& query, const char* key);
// ?page=N: nullopt when malformed, or when absent and required (absent and
// optional is page 0).
std::optional<uint32_t> PageOf(const net::Request& req, bool required);
// Up to NAMES_PER_PAGE entries of list from page * NAMES_PER_PAGE.
nlohmann::json PageSlice(const std::vector<std::string>& list, uint32_t page);

// A zone file's answer without raw=1: the zone file as JSON text, or, for one
// that is not standard (not UTF-8, neither a zone file nor a legacy JSON
// profile), the original's answer: 200 with an error for the current zone file,
// a bodyless 204 for one asked for by hash.
net::Response ZonefileAnswer(const std::string& text, bool by_hash);

// A name's "did": the DID, or the original's {"error": "Not supported for this
// name"} when it has none.
inline constexpr const char* NO_DID = "Not supported for this name";
nlohmann::json DidJson(const std::optional<std::string>& did);
// A subdomain record as the original's index wrote one (history entries and
// /v1/blockchains/bitcoin/names/{subdomain}): address, block_number, domain,
// name, sequence, txid, value_hash and the zone file in base64.
nlohmann::json SubdomainRecordJson(const subdomain::SubdomainState& st);

}  // namespace blockstack::api::detail
