#include <gaia/auth.h>

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include <crypto/base58check.h>
#include <crypto/hash.h>
#include <crypto/jwt.h>
#include <crypto/keys.h>
#include <util/base64.h>
#include <util/bytes.h>

namespace blockstack::gaia {

using nlohmann::json;

namespace {

constexpr std::size_t MAX_SCOPES = 8;
const char* const PARSE_FAILURE = "Failed to parse authentication header.";

HubUnexpected Invalid(std::string message) { return HubFail(HubErrorKind::Validation, std::move(message)); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// §2.9: base58check(0x00 || hash160(key as given)). Fails on a malformed key.
std::optional<std::string> AddressOfKeyHex(const json& value) {
  if (!value.is_string()) return std::nullopt;
  auto key = crypto::PublicKey::FromHex(value.get<std::string>());
  if (!key) return std::nullopt;
  return crypto::EncodeVersionedHash(0x00, crypto::Hash160Of(key->Serialize()));
}

// String(x) for the JSON values a scope domain may hold.
std::string JsString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return JsNumber(v.get<double>());
  if (v.is_array()) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + (v[i].is_null() ? "" : JsString(v[i]));
    return out;
  }
  return "[object Object]";
}

bool Truthy(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) {
    double d = v.get<double>();
    return d != 0 && !std::isnan(d);
  }
  if (v.is_string()) return !v.get<std::string>().empty();
  return true;
}

const json& Field(const json& object, const char* name) {
  static const json NONE;
  auto it = object.find(name);
  return it == object.end() ? NONE : *it;
}

// §2.5: at most 8 entries, each with a known scope name.
std::optional<Scopes> ParseScopes(const json& value) {
  Scopes out;
  if (!Truthy(value)) return out;
  if (!value.is_array() || value.size() > MAX_SCOPES) return std::nullopt;
  for (const auto& entry : value) {
    if (!entry.is_object()) return std::nullopt;
    const json& scope = Field(entry, "scope");
    if (!scope.is_string()) return std::nullopt;
    std::string domain = JsString(entry.contains("domain") ? entry["domain"] : json("undefined"));
    const std::string& name = scope.get_ref<const std::string&>();
    if (name == "putFile") out.write_paths.push_back(domain);
    else if (name == "putFilePrefix") out.write_prefixes.push_back(domain);
    else if (name == "deleteFile") out.delete_paths.push_back(domain);
    else if (name == "deleteFilePrefix") out.delete_prefixes.push_back(domain);
    else if (name == "putFileArchival") out.write_archival_paths.push_back(domain);
    else if (name == "putFileArchivalPrefix") out.write_archival_prefixes.push_back(domain);
    else return std::nullopt;
  }
  return out;
}

bool Allowed(std::string_view path, const std::vector<std::string>& exact, const std::vector<std::string>& prefixes) {
  if (exact.empty() && prefixes.empty()) return true;
  for (const auto& p : exact) {
    if (path == p) return true;
  }
  for (const auto& p : prefixes) {
    if (StartsWith(path, p)) return true;
  }
  return false;
}

// A numeric claim: absent/null -> nullopt; a number -> its value; anything else
// fails (the original would compare strings to numbers with JS coercion).
HubResult<std::optional<double>> NumericClaim(const json& payload, const char* name) {
  const json& v = Field(payload, name);
  if (v.is_null()) return std::optional<double>{};
  if (!v.is_number()) return Invalid(std::string("The `") + name + "` claim of the JWT must be a number.");
  return std::optional<double>(v.get<double>());
}

HubResult<void> CheckRevocation(const std::optional<double>& iat, double oldest, int version) {
  if (version != 1 || !(oldest > 0)) return {};
  if (!iat || *iat == 0) {
    return HubFail(HubErrorKind::AuthTimestamp, "Gaia bucket requires auth token issued after " + JsNumber(oldest) +
                                                    " but this token has no creation timestamp. This token may "
                                                    "have been revoked by the user.");
  }
  if (*iat < oldest) {
    return HubFail(HubErrorKind::AuthTimestamp, "Gaia bucket requires auth token issued after " + JsNumber(oldest) +
                                                    " but this token was issued " + JsNumber(*iat) +
                                                    ". This token may have been revoked by the user.");
  }
  return {};
}

HubResult<void> CheckExpiry(const std::optional<double>& exp, double now, const char* what) {
  if (exp && *exp != 0 && *exp < now) {
    return Invalid(std::string("Expired ") + what + ": expire time of " + JsNumber(*exp) + " (secs since epoch)");
  }
  return {};
}

// §2.7. Returns the address of the association token's issuer.
HubResult<std::string> CheckAssociationToken(const json& token_value, std::string_view bucket_address,
                                             std::optional<double>& exp_out, double now) {
  if (!token_value.is_string()) return Invalid("Failed to decode association token in JWT");
  auto decoded = crypto::DecodeJwt(token_value.get<std::string>());
  if (!decoded) return Invalid("Failed to decode association token in JWT");
  const json& iss = Field(decoded->payload, "iss");
  const json& child = Field(decoded->payload, "childToAssociate");
  const json& exp = Field(decoded->payload, "exp");
  if (!Truthy(iss)) return Invalid("Must provide `iss` claim in association JWT.");
  if (!Truthy(child)) return Invalid("Must provide `childToAssociate` claim in association JWT.");
  if (!Truthy(exp)) return Invalid("Must provide `exp` claim in association JWT.");
  if (!exp.is_number()) return Invalid("The `exp` claim of the association JWT must be a number.");
  auto issuer_address = AddressOfKeyHex(iss);
  auto issuer_key = iss.is_string() ? crypto::PublicKey::FromHex(iss.get<std::string>())
                                    : util::Result<crypto::PublicKey>(util::Fail(util::ErrorCode::InvalidArgument, ""));
  if (!issuer_address || !issuer_key || !crypto::VerifyJwtEs256k(*decoded, *issuer_key)) {
    return Invalid("Failed to verify association JWT: invalid issuer");
  }
  exp_out = exp.get<double>();
  BS_GAIA_TRY_VOID(CheckExpiry(exp_out, now, "association token"));
  auto child_address = AddressOfKeyHex(child);
  if (!child_address || *child_address != bucket_address) {
    return Invalid("Association token child key " + JsString(child) + " does not match " + std::string(bucket_address));
  }
  return *issuer_address;
}

HubResult<Authorization> ValidateLegacy(std::string_view auth_part, std::string_view bucket_address,
                                        const AuthSettings& settings) {
  auto raw = util::DecodeBase64(auth_part);
  if (!raw) return Invalid(PARSE_FAILURE);
  auto decoded = json::parse(raw->begin(), raw->end(), nullptr, false);
  if (decoded.is_discarded() || !decoded.is_object()) return Invalid(PARSE_FAILURE);
  const json& pub = Field(decoded, "publickey");
  const json& sig = Field(decoded, "signature");
  auto address = AddressOfKeyHex(pub);
  if (!address || !sig.is_string()) return Invalid(PARSE_FAILURE);
  auto der = util::FromHex(sig.get<std::string>());
  if (!der || !crypto::DerToCompact(*der)) return Invalid(PARSE_FAILURE);
  if (*address != bucket_address) return Invalid("Address not allowed to write on this path");
  auto key = crypto::PublicKey::FromHex(pub.get<std::string>());
  for (const auto& text : AcceptedChallengeTexts(settings.server_name)) {
    if (key->VerifyDer(crypto::Sha256(util::AsBytes(text)), *der, crypto::SPolicy::AcceptHighS)) {
      Authorization out;
      out.version = 0;
      out.signer_address = *address;
      return out;
    }
  }
  return Invalid("Invalid signature or expired authentication token.");
}

HubResult<Authorization> ValidateV1(std::string_view token, std::string_view bucket_address,
                                    const AuthSettings& settings, double oldest, double now) {
  auto decoded = crypto::DecodeJwt(token);
  if (!decoded) return Invalid(PARSE_FAILURE);
  const json& payload = decoded->payload;
  const json& iss = Field(payload, "iss");
  if (!Truthy(iss)) return Invalid(PARSE_FAILURE);
  auto scopes = ParseScopes(Field(payload, "scopes"));
  if (!scopes) return Invalid(PARSE_FAILURE);

  Authorization out;
  out.version = 1;
  out.scopes = std::move(*scopes);
  BS_GAIA_TRY(out.iat, NumericClaim(payload, "iat"));
  BS_GAIA_TRY(out.exp, NumericClaim(payload, "exp"));
  BS_GAIA_TRY_VOID(CheckRevocation(out.iat, oldest, 1));

  auto issuer_address = AddressOfKeyHex(iss);
  if (!issuer_address) return Invalid("The `iss` claim of the JWT is not a valid public key.");
  if (*issuer_address != bucket_address) return Invalid("Address not allowed to write on this path");

  if (settings.require_correct_hub_url) {
    const json& claimed = Field(payload, "hubUrl");
    if (!Truthy(claimed)) {
      return Invalid("Authentication must provide a claimed hub. You may need to update stacks.js.");
    }
    std::string hub = JsString(claimed);
    if (!hub.empty() && hub.back() == '/') hub.pop_back();
    std::vector<std::string> valid = settings.valid_hub_urls;
    std::string own = "https://" + settings.server_name;
    if (std::find(valid.begin(), valid.end(), own) == valid.end()) valid.push_back(own);
    if (std::find(valid.begin(), valid.end(), hub) == valid.end()) {
      return Invalid("Auth token's claimed hub url '" + hub + "' not found in this hubs set: " + json(valid).dump());
    }
  }

  auto key = crypto::PublicKey::FromHex(iss.get<std::string>());
  if (!crypto::VerifyJwtEs256k(*decoded, *key)) return Invalid("Failed to verify supplied authentication JWT");

  const json& challenge = Field(payload, "gaiaChallenge");
  auto accepted = AcceptedChallengeTexts(settings.server_name);
  if (!challenge.is_string() ||
      std::find(accepted.begin(), accepted.end(), challenge.get<std::string>()) == accepted.end()) {
    std::string shown = challenge.is_null() ? "undefined" : JsString(challenge);
    return Invalid("Invalid gaiaChallenge text in supplied JWT: \"" + shown + "\" not found in " +
                   json(accepted).dump());
  }
  BS_GAIA_TRY_VOID(CheckExpiry(out.exp, now, "authentication token"));

  const json& association = Field(payload, "associationToken");
  if (Truthy(association)) {
    BS_GAIA_TRY(out.signer_address, CheckAssociationToken(association, bucket_address, out.association_exp, now));
  } else {
    out.signer_address = std::string(bucket_address);
  }
  return out;
}

}  // namespace

bool Scopes::AllowsWrite(std::string_view path) const { return Allowed(path, write_paths, write_prefixes); }
bool Scopes::AllowsDelete(std::string_view path) const { return Allowed(path, delete_paths, delete_prefixes); }
bool Scopes::AllowsArchival(std::string_view path) const {
  return Allowed(path, write_archival_paths, write_archival_prefixes);
}

std::string ChallengeText(std::string_view server_name) {
  return json::array({"gaiahub", "0", std::string(server_name), "blockstack_storage_please_sign"}).dump();
}

std::vector<std::string> AcceptedChallengeTexts(std::string_view server_name) {
  std::vector<std::string> out{ChallengeText(server_name)};
  for (const char* year : {"2018", "2019"}) {
    out.push_back(json::array({"gaiahub", year, std::string(server_name), "blockstack_storage_please_sign"}).dump());
  }
  return out;
}

std::string JsNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == std::floor(value) && std::fabs(value) < 1e21) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 0);
    return std::string(buf, end);
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

HubResult<Authorization> ValidateAuthorizationHeader(std::string_view header, std::string_view bucket_address,
                                                     const AuthSettings& settings, double oldest_valid_timestamp,
                                                     double now) {
  // §2.1: "bearer" in any case, then everything after the 7th character.
  if (header.size() < 6) return Invalid(PARSE_FAILURE);
  std::string lower(header.substr(0, 6));
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != "bearer") return Invalid(PARSE_FAILURE);
  std::string_view auth_part = header.size() > 7 ? header.substr(7) : std::string_view{};
  auto colon = auth_part.find(':');
  if (colon == std::string_view::npos) return ValidateLegacy(auth_part, bucket_address, settings);
  if (auth_part.substr(0, colon) != "v1") return Invalid(PARSE_FAILURE);
  return ValidateV1(auth_part.substr(3), bucket_address, settings, oldest_valid_timestamp, now);
}

HubResult<void> RecheckAuthorization(const Authorization& auth, double oldest_valid_timestamp, double now) {
  BS_GAIA_TRY_VOID(CheckRevocation(auth.iat, oldest_valid_timestamp, auth.version));
  BS_GAIA_TRY_VOID(CheckExpiry(auth.exp, now, "authentication token"));
  return CheckExpiry(auth.association_exp, now, "association token");
}

HubResult<Authorization> AuthCache::Validate(std::string_view header, std::string_view bucket_address,
                                             const AuthSettings& settings, double oldest_valid_timestamp,
                                             double now) {
  std::string key;
  key.reserve(header.size() + bucket_address.size() + 1);
  key.append(bucket_address).append("\n").append(header);
  if (auto cached = m_entries.Get(key)) {
    ++m_hits;
    BS_GAIA_TRY_VOID(RecheckAuthorization(*cached, oldest_valid_timestamp, now));
    return std::move(*cached);
  }
  auto result = ValidateAuthorizationHeader(header, bucket_address, settings, oldest_valid_timestamp, now);
  if (result) m_entries.Put(key, *result);
  return result;
}

}  // namespace blockstack::gaia
