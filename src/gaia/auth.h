// Authentication of hub requests (spec gaia.md §2): the Authorization header's v1
// ES256K token or legacy v0 signature, association tokens, scopes, the hub-URL
// check and revocation timestamps, with the original hub's checks, order and
// messages.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gaia/errors.h>
#include <util/lru_cache.h>

namespace blockstack::gaia {

struct Scopes {
  std::vector<std::string> write_prefixes;           // putFilePrefix
  std::vector<std::string> write_paths;              // putFile
  std::vector<std::string> delete_prefixes;          // deleteFilePrefix
  std::vector<std::string> delete_paths;             // deleteFile
  std::vector<std::string> write_archival_prefixes;  // putFileArchivalPrefix
  std::vector<std::string> write_archival_paths;     // putFileArchival

  bool HasArchival() const { return !write_archival_prefixes.empty() || !write_archival_paths.empty(); }
  // §2.5: true when no scope of the kind restricts path, or one allows it.
  bool AllowsWrite(std::string_view path) const;
  bool AllowsDelete(std::string_view path) const;
  bool AllowsArchival(std::string_view path) const;
};

struct AuthSettings {
  std::string server_name = "gaia-0";
  bool require_correct_hub_url = false;
  std::vector<std::string> valid_hub_urls;  // "https://{server_name}" is always accepted too
};

// ["gaiahub","0","<server>","blockstack_storage_please_sign"] as compact JSON.
std::string ChallengeText(std::string_view server_name);
// The current text, then the 2018 and 2019 legacy texts.
std::vector<std::string> AcceptedChallengeTexts(std::string_view server_name);

// A header that passed every check that does not depend on the clock or on the
// bucket's revocation timestamp.
struct Authorization {
  int version = 1;             // 0 for a legacy token
  std::string signer_address;  // the bucket, or the association token's issuer (for the whitelist)
  Scopes scopes;
  std::optional<double> iat;
  std::optional<double> exp;
  std::optional<double> association_exp;
};

// Validates header for a request on bucket_address, in the original hub's order.
// oldest_valid_timestamp is the bucket's revocation timestamp (0 = none); now is
// Unix seconds. Fails with Validation or AuthTimestamp, with the original's message.
HubResult<Authorization> ValidateAuthorizationHeader(std::string_view header, std::string_view bucket_address,
                                                     const AuthSettings& settings, double oldest_valid_timestamp,
                                                     double now);

// The checks of ValidateAuthorizationHeader that depend on the clock and on the
// revocation timestamp, for an Authorization validated earlier.
HubResult<void> RecheckAuthorization(const Authorization& auth, double oldest_valid_timestamp, double now);

// Remembers headers that validated, so a client that reuses its token is verified
// once rather than on every request. Bounded (least recently used entries are
// dropped); thread-safe. Failures are not remembered.
class AuthCache {
 public:
  explicit AuthCache(std::size_t capacity = 10000) : m_entries(capacity) {}
  HubResult<Authorization> Validate(std::string_view header, std::string_view bucket_address,
                                    const AuthSettings& settings, double oldest_valid_timestamp, double now);
  uint64_t Hits() const { return m_hits; }

 private:
  util::LruCache<std::string, Authorization> m_entries;  // key: bucket "\n" header
  std::atomic<uint64_t> m_hits{0};
};

// Unix seconds as JavaScript prints a number ("1", "1700000000.5").
std::string JsNumber(double value);

}  // namespace blockstack::gaia
