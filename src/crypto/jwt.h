// Compact JWS tokens signed with ES256K, as the jsontokens library writes them:
// base64url(header) "." base64url(payload) "." base64url(r||s), where r||s signs
// SHA-256 of the ASCII text of the first two segments. Used by Gaia hub
// authentication and by profile tokens.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <crypto/keys.h>
#include <util/result.h>

namespace blockstack::crypto {

struct DecodedJwt {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input;  // "<header_b64>.<payload_b64>" exactly as received
  util::Bytes signature;      // the decoded third segment (64 bytes when well formed)
};

// Splits and decodes a compact token. Fails with InvalidArgument unless there are
// three segments, the first two decode to JSON objects, and the third is base64url.
// The signature is not checked.
util::Result<DecodedJwt> DecodeJwt(std::string_view token);

// True when the signature is 64 bytes r||s and verifies against key over the
// received segments (high S accepted, as jsontokens does).
bool VerifyJwtEs256k(const DecodedJwt& token, const PublicKey& key);

// Signs payload (serialised compactly, keys in the order given) under the header
// {"typ":"JWT","alg":"ES256K"}. Deterministic (RFC 6979).
std::string SignJwtEs256k(const nlohmann::ordered_json& payload, const PrivateKey& key);

}  // namespace blockstack::crypto
