// ECIES as @stacks/encryption does it (spec gaia.md §4.1): ECDH on secp256k1,
// SHA-512 of the shared x coordinate split into an AES-256-CBC key and an
// HMAC-SHA256 key, MAC over iv || ephemeral key || ciphertext. The cipher object
// is JSON {"iv","ephemeralPK","cipherText","mac","wasString"[,"cipherTextEncoding"]}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <crypto/keys.h>
#include <util/result.h>

namespace blockstack::client {

enum class CipherTextEncoding { Hex, Base64 };

struct EciesOptions {
  CipherTextEncoding encoding = CipherTextEncoding::Hex;
  bool was_string = false;
  // Fixed ephemeral key and IV, for test vectors only; random when absent.
  std::optional<crypto::PrivateKey> ephemeral;
  std::optional<util::Bytes> iv;
};

// Encrypts to recipient. Returns the cipher object with keys in the clients' order.
nlohmann::ordered_json EncryptEcies(const crypto::PublicKey& recipient, util::ByteView plaintext,
                                    const EciesOptions& options = {});

struct Decrypted {
  util::Bytes data;
  bool was_string = false;
};

// Decrypts a cipher object. Fails with InvalidArgument on a malformed object and
// Unauthorized when the MAC does not match ("failure in MAC check").
util::Result<Decrypted> DecryptEcies(const crypto::PrivateKey& recipient, const nlohmann::json& cipher);

// signECDSA: {"signature": DER hex over SHA-256(content), "publicKey": compressed hex}.
nlohmann::ordered_json SignContent(const crypto::PrivateKey& key, util::ByteView content);
// verifyECDSA (high S accepted).
bool VerifyContent(util::ByteView content, std::string_view public_key_hex, std::string_view signature_der_hex);

// The Gaia bucket address of a key: base58check(0x00 || hash160(compressed key)).
std::string GaiaAddress(const crypto::PublicKey& key);

}  // namespace blockstack::client
