#include <zonefile/profile.h>

#include <utility>

#include <crypto/base58check.h>
#include <crypto/hash.h>
#include <crypto/jwt.h>
#include <util/bytes.h>
#include <util/text.h>

namespace blockstack::zonefile {

namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

std::string IsoTime(int64_t unix_seconds) { return util::FormatUtc(unix_seconds, "%Y-%m-%dT%H:%M:%S.000Z"); }

// True when key (either encoding) is the signer.
bool KeyMatches(const crypto::PublicKey& key, const Signer& signer) {
  std::string compressed = util::ToHex(key.Serialize(true));
  std::string uncompressed = util::ToHex(key.Serialize(false));
  if (!signer.public_key_hex.empty()) {
    return signer.public_key_hex == compressed || signer.public_key_hex == uncompressed;
  }
  auto decoded = crypto::DecodeBase58Check(signer.address);
  if (!decoded || decoded->size() != 21) return false;
  uint8_t version = (*decoded)[0];
  return crypto::EncodeVersionedHash(version, crypto::Hash160Of(key.Serialize(true))) == signer.address ||
         crypto::EncodeVersionedHash(version, crypto::Hash160Of(key.Serialize(false))) == signer.address;
}

}  // namespace

std::string SignProfileToken(const json& claim, const crypto::PrivateKey& key, int64_t issued_at_unix,
                             int64_t expires_at_unix) {
  std::string pub = key.GetPublicKey().Hex();
  nlohmann::ordered_json payload;
  payload["jti"] = util::ToHex(crypto::Hash160Of(util::AsBytes(pub + std::to_string(issued_at_unix))));
  payload["iat"] = IsoTime(issued_at_unix);
  payload["exp"] = IsoTime(expires_at_unix);
  payload["subject"] = {{"publicKey", pub}};
  payload["issuer"] = {{"publicKey", pub}};
  payload["claim"] = nlohmann::ordered_json::parse(claim.dump());
  payload["issuedAt"] = IsoTime(issued_at_unix);
  payload["expiresAt"] = IsoTime(expires_at_unix);
  return crypto::SignJwtEs256k(payload, key);
}

json MakeTokenFile(const std::string& token) {
  json record = {{"token", token}};
  if (auto decoded = crypto::DecodeJwt(token)) {
    record["decodedToken"] = {{"header", decoded->header},
                              {"payload", decoded->payload},
                              {"signature", token.substr(token.rfind('.') + 1)}};
  }
  return json::array({record});
}

namespace {

// The claim of a token that verifies against the signer, and its issuer key (hex).
util::Result<std::pair<json, std::string>> VerifyToken(std::string_view token, const Signer& signer) {
  BS_TRY(auto decoded, crypto::DecodeJwt(token));
  const json& p = decoded.payload;
  auto key_of = [&](const char* who) -> const json* {
    if (!p.contains(who) || !p[who].is_object() || !p[who].contains("publicKey") || !p[who]["publicKey"].is_string())
      return nullptr;
    return &p[who]["publicKey"];
  };
  const json* issuer = key_of("issuer");
  if (!key_of("subject") || !issuer || !p.contains("claim"))
    return Fail(ErrorCode::InvalidArgument, "profile token lacks subject.publicKey, issuer.publicKey or claim");
  auto key = crypto::PublicKey::FromHex(issuer->get<std::string>());
  if (!key) return Fail(ErrorCode::InvalidArgument, "profile token's issuer key is not a public key");
  if (!KeyMatches(*key, signer)) {
    return Fail(ErrorCode::Unauthorized, "profile token is signed by " + issuer->get<std::string>() + ", not by " +
                                             (signer.public_key_hex.empty() ? signer.address : signer.public_key_hex));
  }
  if (!crypto::VerifyJwtEs256k(decoded, *key))
    return Fail(ErrorCode::Unauthorized, "profile token's signature does not verify");
  return std::pair<json, std::string>(p["claim"], issuer->get<std::string>());
}

}  // namespace

util::Result<json> VerifyProfileToken(std::string_view token, const Signer& signer) {
  BS_TRY(auto verified, VerifyToken(token, signer));
  return std::move(verified.first);
}

util::Result<json> ProfileFromTokenFile(std::string_view token_file, const Signer& signer) {
  BS_TRY(auto verified, VerifyTokenFile(token_file, signer));
  return std::move(verified.profile);
}

util::Result<VerifiedProfile> VerifyTokenFile(std::string_view token_file, const Signer& signer) {
  json doc = json::parse(token_file, nullptr, false);
  std::vector<std::string> tokens;
  auto take = [&](const json& record) {
    if (record.is_string()) tokens.push_back(record.get<std::string>());
    if (record.is_object() && record.contains("token") && record["token"].is_string())
      tokens.push_back(record["token"].get<std::string>());
  };
  if (doc.is_discarded()) {
    // A bare compact token is not JSON.
    tokens.emplace_back(token_file);
  } else if (doc.is_array()) {
    for (const auto& r : doc) take(r);
  } else {
    take(doc);
  }
  if (tokens.empty()) return Fail(ErrorCode::InvalidArgument, "not a profile token file");
  VerifiedProfile out;
  out.profile = json::object();
  bool any = false;
  std::string last_error;
  for (const auto& t : tokens) {
    auto verified = VerifyToken(t, signer);
    if (!verified) {
      last_error = verified.error().message;
      continue;
    }
    if (!any) out.public_key = verified->second;
    any = true;
    if (verified->first.is_object()) out.profile.update(verified->first);
  }
  if (!any) return Fail(ErrorCode::Unauthorized, "no token in the profile verified: " + last_error);
  return out;
}

}  // namespace blockstack::zonefile
