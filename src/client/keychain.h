// The Blockstack keychain: every key a user of the original wallet had, derived
// from one BIP39 mnemonic (and optional passphrase) along the original's paths.
//
//   owner (identity) key i   m/888'/0'/i'
//   apps node of identity i  m/888'/0'/i'/0'
//   app key for an origin    apps node / h(origin + salt)'      (what the original
//                            CLI and Browser gave apps; `AppKey`)
//                            apps node / 11 hardened steps      (blockstack.js's
//                            newer path, never switched on; `AppKeyV2`)
//   payment key j            m/44'/0'/0'/0/j
//
// salt is the hex SHA-256 of the hex text of the identity keychain's (m/888'/0')
// public key. Also the original's encrypted-mnemonic format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <crypto/bip32.h>

namespace blockstack::client {

class Keychain {
 public:
  // Fails with InvalidArgument when the mnemonic is malformed (the message names the
  // word) or the passphrase is not UTF-8.
  static util::Result<Keychain> FromMnemonic(std::string_view mnemonic, std::string_view passphrase = {});
  static util::Result<Keychain> FromSeed(util::ByteView seed);

  // Owner key of identity `index` (< 2^31). Compressed.
  util::Result<crypto::PrivateKey> OwnerKey(uint32_t index) const;
  util::Result<crypto::PrivateKey> PaymentKey(uint32_t index = 0) const;
  // The app key of `origin` (e.g. "https://app.example.com") under identity `index`.
  util::Result<crypto::PrivateKey> AppKey(uint32_t index, std::string_view origin) const;
  util::Result<crypto::PrivateKey> AppKeyV2(uint32_t index, std::string_view origin) const;
  // The apps node of identity `index`, base58 (the original's `appsNodeKey`).
  util::Result<std::string> AppsNodeKey(uint32_t index) const;
  const std::string& IdentitySalt() const { return m_salt; }

  // The identity index below `max` whose owner key hashes to `hash160`, if any.
  std::optional<uint32_t> FindIdentity(const util::Hash160& hash160, uint32_t max = 65536) const;

 private:
  Keychain(crypto::ExtendedPrivateKey root, crypto::ExtendedPrivateKey identities, std::string salt)
      : m_root(std::move(root)), m_identities(std::move(identities)), m_salt(std::move(salt)) {}
  util::Result<crypto::ExtendedPrivateKey> AppsNode(uint32_t index) const;

  crypto::ExtendedPrivateKey m_root;
  crypto::ExtendedPrivateKey m_identities;  // m/888'/0'
  std::string m_salt;
};

// The original's encrypted mnemonic: salt(16) || HMAC-SHA256(16-byte mac key,
// salt || ciphertext) || AES-128-CBC(entropy), keys and IV from
// PBKDF2-HMAC-SHA512(password, salt, 100000 rounds, 48 bytes). `salt` is random
// unless given (16 bytes; tests).
util::Result<util::Bytes> EncryptMnemonic(std::string_view mnemonic, std::string_view password,
                                          std::optional<util::ByteView> salt = std::nullopt);
// Fails with Unauthorized when the password is wrong (the MAC does not match) and
// with InvalidArgument when the data is too short to be an encrypted mnemonic. The
// original's older triplesec format is not read (InvalidArgument says so).
util::Result<std::string> DecryptMnemonic(util::ByteView data, std::string_view password);

}  // namespace blockstack::client
