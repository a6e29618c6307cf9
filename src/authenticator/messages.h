// The original's sign-in messages (blockstack.js v21, protocol version 1.3.1):
// the auth request an app sends to an authenticator, and the auth response the
// authenticator sends back. Both are ES256K-signed compact JWTs.
//
// An auth request is checked as blockstack.js's verifyAuthRequest does, and more
// strictly: signed (never alg "none") by its one public key, whose address the
// issuer DID names; not expired, not issued in the future; the manifest and
// redirect URIs absolute http(s) URLs on the app's origin (domain_name); every
// field of the type the original writes. Each refusal says which check failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <crypto/keys.h>
#include <util/result.h>

namespace blockstack::authenticator {

// The protocol version this authenticator answers with.
inline constexpr const char* PROTOCOL_VERSION = "1.3.1";
// Auth requests longer than this are refused unread.
inline constexpr std::size_t MAX_AUTH_REQUEST_BYTES = 16 * 1024;
// How far in the future a request's iat may be (clock skew between app and user).
inline constexpr int64_t MAX_CLOCK_SKEW_SECONDS = 300;

// What each scope lets the app do, for the consent page. Unknown scopes are kept
// in AuthRequest::unknown_scopes and granted nothing.
struct ScopeInfo {
  const char* name;
  const char* meaning;
};
const std::vector<ScopeInfo>& KnownScopes();

struct AuthRequest {
  std::string token;               // as received
  std::string jti;                 // the request's unique id (replays are refused by it)
  std::optional<int64_t> iat;      // Unix seconds
  std::optional<int64_t> exp;      // Unix seconds
  std::string issuer_address;      // from iss "did:btc-addr:ADDRESS"
  std::string transit_public_key;  // public_keys[0] (hex, checked): the app key is encrypted to it
  std::string app_origin;          // domain_name as an origin: scheme://host[:port]
  std::string manifest_uri;
  std::string redirect_uri;
  std::string version;                      // "" when absent
  std::vector<std::string> scopes;          // known ones, in request order, without repeats
  std::vector<std::string> unknown_scopes;  // shown, never granted
  bool do_not_include_profile = false;
  bool supports_hub_url = false;

  bool HasScope(std::string_view scope) const;
};

// Decodes and checks an auth request at time now (Unix seconds). Fails with
// InvalidArgument (malformed, wrong types, not same-origin), Unauthorized (not
// signed, signature or issuer wrong) or Expired-like InvalidArgument messages
// ("the auth request expired at ..."), each naming the check.
util::Result<AuthRequest> CheckAuthRequest(std::string_view token, int64_t now);

// "scheme://host[:port]" of an absolute http(s) URL, the port left out when it
// is the scheme's default; host lowercased. InvalidArgument otherwise.
util::Result<std::string> OriginOf(std::string_view url);

struct AuthResponseParts {
  crypto::PrivateKey identity_key;      // signs; its address is the issuer
  std::optional<std::string> username;  // the name signed in with (null when none)
  nlohmann::json profile;               // the profile, or null (the app fetches profile_url)
  std::string profile_url;
  crypto::PrivateKey app_key;  // sent encrypted to transit_key
  crypto::PublicKey transit_key;
  std::string hub_url;            // the app's Gaia hub
  std::string api_url;            // the node the app should ask
  std::string association_token;  // lets the app key write through the identity's hub grant
  int64_t issued_at = 0;          // Unix seconds
  int64_t expires_at = 0;         // Unix seconds
  std::string jti;                // a fresh UUID when empty
};

// The auth response JWT, its payload keys and values as blockstack.js's
// makeAuthResponse writes them (private_key: the hex of the JSON of the ECIES
// cipher object of the app key's hex, as a string).
std::string MakeAuthResponse(const AuthResponseParts& parts);

// url with key=value set in its query (replacing an existing key), as
// blockstack.js's updateQueryStringParameter; value is percent-encoded. A
// fragment stays at the end.
std::string SetQueryParameter(std::string_view url, std::string_view key, std::string_view value);

// "did:btc-addr:" + the key's mainnet P2PKH address (compressed), as blockstack.js
// writes issuers.
std::string IssuerDid(const crypto::PublicKey& key);

// A random RFC 4122 version-4 UUID.
std::string MakeUuid4();

}  // namespace blockstack::authenticator
