#include <crypto/jwt.h>

#include <crypto/hash.h>
#include <util/base64.h>

namespace blockstack::crypto {

using util::ErrorCode;
using util::Fail;

namespace {

// base64url without padding only: a token carrying '+', '/' or '=' is not one
// jsontokens produced.
util::Result<util::Bytes> DecodeSegment(std::string_view segment) {
  for (char c : segment) {
    if (c == '+' || c == '/' || c == '=') return Fail(ErrorCode::InvalidArgument, "token segment is not base64url");
  }
  return util::DecodeBase64(segment);
}

util::Result<nlohmann::json> DecodeJsonSegment(std::string_view segment, const char* what) {
  BS_TRY(util::Bytes raw, DecodeSegment(segment));
  auto parsed = nlohmann::json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Fail(ErrorCode::InvalidArgument, std::string("token ") + what + " is not a JSON object");
  }
  return parsed;
}

}  // namespace

util::Result<DecodedJwt> DecodeJwt(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return Fail(ErrorCode::InvalidArgument, "token has no '.' separators");
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Fail(ErrorCode::InvalidArgument, "token must have exactly three segments");
  }
  DecodedJwt out;
  BS_TRY(out.header, DecodeJsonSegment(token.substr(0, first), "header"));
  BS_TRY(out.payload, DecodeJsonSegment(token.substr(first + 1, second - first - 1), "payload"));
  BS_TRY(out.signature, DecodeSegment(token.substr(second + 1)));
  out.signing_input = std::string(token.substr(0, second));
  return out;
}

bool VerifyJwtEs256k(const DecodedJwt& token, const PublicKey& key) {
  if (token.signature.size() != 64) return false;
  return key.VerifyCompact(Sha256(util::AsBytes(token.signing_input)), token.signature, SPolicy::AcceptHighS);
}

std::string SignJwtEs256k(const nlohmann::ordered_json& payload, const PrivateKey& key) {
  static const std::string HEADER = util::EncodeBase64Url(util::AsBytes(std::string(R"({"typ":"JWT","alg":"ES256K"})")));
  std::string input = HEADER + "." + util::EncodeBase64Url(util::AsBytes(payload.dump()));
  auto sig = key.SignCompact(Sha256(util::AsBytes(input)));
  return input + "." + util::EncodeBase64Url(util::ByteView(sig.data(), sig.size()));
}

}  // namespace blockstack::crypto
