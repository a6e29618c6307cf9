// Profiles (spec atlas.md §3): token files holding ES256K-signed JWS tokens whose
// claim is the profile, signed by the name owner's key; made and signed here, and
// verified against the owner's address (either key encoding) or a public key.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <crypto/keys.h>
#include <util/result.h>

namespace blockstack::zonefile {

// One signed profile token: payload {"claim", "subject", "issuer", "issuedAt",
// "expiresAt"} with both keys the signer's, times as ISO-8601 UTC with
// milliseconds. Deterministic for the same inputs.
std::string SignProfileToken(const nlohmann::json& claim, const crypto::PrivateKey& key, int64_t issued_at_unix,
                             int64_t expires_at_unix);

// A token file (what is uploaded to storage): [{"token", "decodedToken"}].
nlohmann::json MakeTokenFile(const std::string& token);

// Who a token must be signed by: an address (base58check, any version: the key is
// checked in compressed and uncompressed form under the address's own version) or
// a public key (hex, either encoding).
struct Signer {
  std::string address;
  std::string public_key_hex;
};

// Verifies one compact token: it must decode, carry subject.publicKey,
// issuer.publicKey and claim, its issuer key must be the signer's, and the ES256K
// signature must verify with that key (high S accepted). Returns the claim.
// Fails with Unauthorized (wrong signer or bad signature) or InvalidArgument.
util::Result<nlohmann::json> VerifyProfileToken(std::string_view token, const Signer& signer);

// Reads a token file (a JSON array of {"token": ...} records, a single such
// record, or a bare token string) and returns the union of the claims of every
// record that verified, later records overriding earlier ones. Fails with
// Unauthorized when none verified, InvalidArgument when the file is not a token
// file at all.
util::Result<nlohmann::json> ProfileFromTokenFile(std::string_view token_file, const Signer& signer);

// ProfileFromTokenFile, with the issuer key (hex) of the first record that
// verified: the key a DID resolves to.
struct VerifiedProfile {
  nlohmann::json profile;
  std::string public_key;
};
util::Result<VerifiedProfile> VerifyTokenFile(std::string_view token_file, const Signer& signer);

}  // namespace blockstack::zonefile
