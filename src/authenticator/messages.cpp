#include <authenticator/messages.h>

#include <algorithm>
#include <cmath>

#include <bitcoin/address.h>
#include <bitcoin/network.h>
#include <client/ecies.h>
#include <crypto/aes.h>
#include <crypto/hash.h>
#include <crypto/jwt.h>
#include <util/bytes.h>
#include <util/text.h>
#include <util/url.h>

namespace blockstack::authenticator {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

const std::vector<ScopeInfo>& KnownScopes() {
  static const std::vector<ScopeInfo> scopes = {
      {"store_write", "read and write files in its own storage bucket on your hub"},
      {"publish_data", "publish files others can read, listed in your public profile"},
      {"email", "see the email address in your profile"},
  };
  return scopes;
}

bool AuthRequest::HasScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

util::Result<std::string> OriginOf(std::string_view url) {
  auto parsed = util::ParseUrl(url);
  if (!parsed) return Fail(ErrorCode::InvalidArgument, "'" + std::string(url) + "' is not an absolute http(s) URL");
  if (!parsed->user.empty() || !parsed->password.empty()) {
    return Fail(ErrorCode::InvalidArgument, "'" + std::string(url) + "' carries credentials");
  }
  std::string host = parsed->host;
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const uint16_t default_port = parsed->scheme == "https" ? 443 : 80;
  std::string origin = parsed->scheme + "://" + host;
  if (parsed->port != default_port) origin += ":" + std::to_string(parsed->port);
  return origin;
}

namespace {

util::Result<std::string> StringField(const json& payload, const char* key, bool required) {
  auto it = payload.find(key);
  if (it == payload.end() || it->is_null()) {
    if (required) return Fail(ErrorCode::InvalidArgument, std::string("the auth request has no '") + key + "'");
    return std::string();
  }
  if (!it->is_string())
    return Fail(ErrorCode::InvalidArgument, std::string("the auth request's '") + key + "' is not a string");
  return it->get<std::string>();
}

// A JWT time: absent or null, else a finite number of seconds.
util::Result<std::optional<int64_t>> TimeField(const json& payload, const char* key) {
  auto it = payload.find(key);
  if (it == payload.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number())
    return Fail(ErrorCode::InvalidArgument, std::string("the auth request's '") + key + "' is not a number");
  double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v > 1e13) {
    return Fail(ErrorCode::InvalidArgument, std::string("the auth request's '") + key + "' is out of range");
  }
  return std::optional<int64_t>(static_cast<int64_t>(std::floor(v)));
}

util::Result<bool> BoolField(const json& payload, const char* key) {
  auto it = payload.find(key);
  if (it == payload.end() || it->is_null()) return false;
  if (!it->is_boolean())
    return Fail(ErrorCode::InvalidArgument, std::string("the auth request's '") + key + "' is not true or false");
  return it->get<bool>();
}

std::string Utc(int64_t t) { return util::FormatUtc(t, "%Y-%m-%d %H:%M:%S UTC"); }

}  // namespace

util::Result<AuthRequest> CheckAuthRequest(std::string_view token, int64_t now) {
  if (token.empty()) return Fail(ErrorCode::InvalidArgument, "no auth request was given");
  if (token.size() > MAX_AUTH_REQUEST_BYTES) {
    return Fail(ErrorCode::InvalidArgument,
                "the auth request is over " + std::to_string(MAX_AUTH_REQUEST_BYTES) + " bytes");
  }
  auto decoded = crypto::DecodeJwt(token);
  if (!decoded)
    return Fail(ErrorCode::InvalidArgument, "the auth request is not a signed token: " + decoded.error().message);
  const json& header = decoded->header;
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || !util::EqualsIgnoreCase(alg->get<std::string>(), "ES256K")) {
    return Fail(ErrorCode::Unauthorized, "the auth request is not signed with ES256K (its alg is " +
                                             (alg == header.end() ? std::string("missing") : alg->dump()) + ")");
  }
  const json& payload = decoded->payload;
  AuthRequest out;
  out.token = std::string(token);

  // The one public key, and the signature by it.
  auto keys = payload.find("public_keys");
  if (keys == payload.end() || !keys->is_array() || keys->empty()) {
    return Fail(ErrorCode::InvalidArgument, "the auth request has no public key");
  }
  if (keys->size() != 1)
    return Fail(ErrorCode::InvalidArgument, "the auth request has several public keys; one is supported");
  if (!(*keys)[0].is_string()) return Fail(ErrorCode::InvalidArgument, "the auth request's public key is not a string");
  auto transit = crypto::PublicKey::FromHex((*keys)[0].get<std::string>());
  if (!transit) return Fail(ErrorCode::InvalidArgument, "the auth request's public key is not a secp256k1 point");
  if (!crypto::VerifyJwtEs256k(*decoded, *transit)) {
    return Fail(ErrorCode::Unauthorized, "the auth request's signature does not verify against its public key");
  }
  out.transit_public_key = transit->Hex();

  // The issuer: did:btc-addr of that key.
  BS_TRY(std::string iss, StringField(payload, "iss", true));
  constexpr std::string_view did_prefix = "did:btc-addr:";
  if (!iss.starts_with(did_prefix))
    return Fail(ErrorCode::InvalidArgument, "the auth request's issuer is not a did:btc-addr DID");
  out.issuer_address = iss.substr(did_prefix.size());
  auto issuer = bitcoin::DecodeAddress(out.issuer_address);
  const util::Hash160 key_hash = crypto::Hash160Of(transit->Serialize(true));
  const util::Hash160 long_hash = crypto::Hash160Of(transit->Serialize(false));
  if (!issuer || (issuer->hash != key_hash && issuer->hash != long_hash)) {
    return Fail(ErrorCode::Unauthorized,
                "the auth request's issuer " + out.issuer_address + " is not the address of its public key");
  }

  // Times.
  BS_TRY(out.iat, TimeField(payload, "iat"));
  BS_TRY(out.exp, TimeField(payload, "exp"));
  if (out.exp && *out.exp != 0 && now > *out.exp) {
    return Fail(ErrorCode::InvalidArgument,
                "the auth request expired at " + Utc(*out.exp) + "; start the sign-in again from the app");
  }
  if (out.iat && *out.iat > now + MAX_CLOCK_SKEW_SECONDS) {
    return Fail(ErrorCode::InvalidArgument,
                "the auth request was issued in the future (" + Utc(*out.iat) + "); check the clocks");
  }

  // The app and where it is answered.
  BS_TRY(out.jti, StringField(payload, "jti", true));
  if (out.jti.empty() || out.jti.size() > 200)
    return Fail(ErrorCode::InvalidArgument, "the auth request's 'jti' is empty or too long");
  BS_TRY(std::string domain, StringField(payload, "domain_name", true));
  auto origin = OriginOf(domain);
  if (!origin) return Fail(ErrorCode::InvalidArgument, "the app's domain_name: " + origin.error().message);
  out.app_origin = *origin;
  BS_TRY(out.manifest_uri, StringField(payload, "manifest_uri", true));
  BS_TRY(out.redirect_uri, StringField(payload, "redirect_uri", true));
  for (auto [what, uri] :
       {std::pair{"manifest URI", &out.manifest_uri}, std::pair{"redirect URI", &out.redirect_uri}}) {
    auto o = OriginOf(*uri);
    if (!o) return Fail(ErrorCode::InvalidArgument, std::string("the app's ") + what + ": " + o.error().message);
    if (*o != out.app_origin) {
      return Fail(ErrorCode::InvalidArgument,
                  std::string("the ") + what + " " + *uri + " is not on the app's origin " + out.app_origin);
    }
  }
  BS_TRY(out.version, StringField(payload, "version", false));
  BS_TRY(out.do_not_include_profile, BoolField(payload, "do_not_include_profile"));
  BS_TRY(out.supports_hub_url, BoolField(payload, "supports_hub_url"));

  auto scopes = payload.find("scopes");
  if (scopes != payload.end() && !scopes->is_null()) {
    if (!scopes->is_array()) return Fail(ErrorCode::InvalidArgument, "the auth request's 'scopes' is not a list");
    if (scopes->size() > 32) return Fail(ErrorCode::InvalidArgument, "the auth request asks for over 32 scopes");
    for (const auto& s : *scopes) {
      if (!s.is_string()) return Fail(ErrorCode::InvalidArgument, "the auth request has a scope that is not a string");
      const std::string name = s.get<std::string>();
      const auto& known = KnownScopes();
      bool is_known = std::any_of(known.begin(), known.end(), [&](const ScopeInfo& k) { return name == k.name; });
      auto& into = is_known ? out.scopes : out.unknown_scopes;
      if (std::find(into.begin(), into.end(), name) == into.end()) into.push_back(name);
    }
  }
  return out;
}

std::string IssuerDid(const crypto::PublicKey& key) {
  return "did:btc-addr:" + bitcoin::AddressFromHash160(crypto::Hash160Of(key.Serialize(true)),
                                                       bitcoin::Params(bitcoin::Network::Mainnet).p2pkh_version);
}

std::string MakeUuid4() {
  util::Bytes b = crypto::RandomBytes(16);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  std::string hex = util::ToHex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::string MakeAuthResponse(const AuthResponseParts& parts) {
  const crypto::PublicKey identity_public = parts.identity_key.GetPublicKey();
  client::EciesOptions ecies;
  ecies.was_string = true;
  const std::string app_key_hex = parts.app_key.Hex();
  const std::string cipher = client::EncryptEcies(parts.transit_key, util::AsBytes(app_key_hex), ecies).dump();
  nlohmann::ordered_json payload;
  payload["jti"] = parts.jti.empty() ? MakeUuid4() : parts.jti;
  payload["iat"] = parts.issued_at;
  payload["exp"] = parts.expires_at;
  payload["iss"] = IssuerDid(identity_public);
  payload["private_key"] = util::ToHex(util::AsBytes(cipher));
  payload["public_keys"] = json::array({util::ToHex(identity_public.Serialize(true))});
  payload["profile"] = parts.profile;
  payload["username"] = parts.username ? json(*parts.username) : json(nullptr);
  payload["core_token"] = nullptr;
  payload["email"] = nullptr;
  payload["profile_url"] = parts.profile_url.empty() ? json(nullptr) : json(parts.profile_url);
  payload["hubUrl"] = parts.hub_url;
  payload["blockstackAPIUrl"] = parts.api_url;
  payload["associationToken"] = parts.association_token;
  payload["version"] = PROTOCOL_VERSION;
  return crypto::SignJwtEs256k(payload, parts.identity_key);
}

std::string SetQueryParameter(std::string_view url, std::string_view key, std::string_view value) {
  std::string base(url), fragment;
  if (auto hash = base.find('#'); hash != std::string::npos) {
    fragment = base.substr(hash);
    base.resize(hash);
  }
  const std::string pair = std::string(key) + "=" + util::PercentEncode(value, false);
  auto q = base.find('?');
  if (q == std::string::npos) return base + "?" + pair + fragment;
  // Replace every key=... parameter's first occurrence; keep the others.
  std::string query = base.substr(q + 1), out;
  bool replaced = false;
  for (std::string_view part : util::SplitList(query, '&')) {
    auto eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    if (!out.empty()) out += '&';
    if (!replaced && util::EqualsIgnoreCase(name, key)) {
      out += pair;
      replaced = true;
    } else {
      out += part;
    }
  }
  if (!replaced) out += (out.empty() ? "" : "&") + pair;
  return base.substr(0, q + 1) + out + fragment;
}

}  // namespace blockstack::authenticator
