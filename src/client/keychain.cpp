#include <client/keychain.h>

#include <algorithm>

#include <crypto/aes.h>
#include <crypto/bip39.h>
#include <crypto/hash.h>

namespace blockstack::client {
namespace {

using crypto::HARDENED;
using util::ErrorCode;
using util::Fail;

constexpr std::size_t SALT_SIZE = 16;
constexpr std::size_t MAC_SIZE = 32;
constexpr uint32_t PBKDF2_ROUNDS = 100000;

util::Status CheckIndex(uint32_t index) {
  if (index & HARDENED) return Fail(ErrorCode::InvalidArgument, "a key index is below 2^31");
  return {};
}

// The original's 31-bit string hash (Java's String.hashCode over UTF-16 units), on
// the hex text of a SHA-256: ASCII, so bytes are units.
uint32_t HashCode(std::string_view text) {
  int32_t hash = 0;
  for (char c : text) {
    hash = static_cast<int32_t>(static_cast<uint32_t>(hash) * 31u + static_cast<unsigned char>(c));
  }
  return static_cast<uint32_t>(hash) & 0x7fffffffu;
}

struct MnemonicKeys {
  util::Bytes enc, mac, iv;
};
MnemonicKeys KeysFor(std::string_view password, util::ByteView salt) {
  auto k = crypto::Pbkdf2Sha512(util::AsBytes(password), salt, PBKDF2_ROUNDS, 48);
  return {util::Bytes(k.begin(), k.begin() + 16), util::Bytes(k.begin() + 16, k.begin() + 32),
          util::Bytes(k.begin() + 32, k.end())};
}

}  // namespace

util::Result<Keychain> Keychain::FromMnemonic(std::string_view mnemonic, std::string_view passphrase) {
  BS_TRY(auto seed, crypto::MnemonicToSeed(mnemonic, passphrase));
  return FromSeed(seed.view());
}

util::Result<Keychain> Keychain::FromSeed(util::ByteView seed) {
  BS_TRY(auto root, crypto::MasterKeyFromSeed(seed));
  BS_TRY(auto identities, crypto::DerivePath(root, "m/888'/0'"));
  std::string pub_hex = identities.key.GetPublicKey().WithCompression(true).Hex();
  std::string salt = util::ToHex(crypto::Sha256(util::AsBytes(pub_hex)).view());
  return Keychain(std::move(root), std::move(identities), std::move(salt));
}

util::Result<crypto::PrivateKey> Keychain::OwnerKey(uint32_t index) const {
  BS_CHECK_OK(CheckIndex(index));
  BS_TRY(auto node, crypto::DerivePrivateChild(m_identities, index | HARDENED));
  return node.key;
}

util::Result<crypto::PrivateKey> Keychain::PaymentKey(uint32_t index) const {
  BS_CHECK_OK(CheckIndex(index));
  BS_TRY(auto account, crypto::DerivePath(m_root, "m/44'/0'/0'/0"));
  BS_TRY(auto node, crypto::DerivePrivateChild(account, index));
  return node.key;
}

util::Result<crypto::ExtendedPrivateKey> Keychain::AppsNode(uint32_t index) const {
  BS_CHECK_OK(CheckIndex(index));
  BS_TRY(auto identity, crypto::DerivePrivateChild(m_identities, index | HARDENED));
  return crypto::DerivePrivateChild(identity, 0 | HARDENED);
}

util::Result<std::string> Keychain::AppsNodeKey(uint32_t index) const {
  BS_TRY(auto apps, AppsNode(index));
  return crypto::ToBase58(apps);
}

util::Result<crypto::PrivateKey> Keychain::AppKey(uint32_t index, std::string_view origin) const {
  BS_TRY(auto apps, AppsNode(index));
  std::string text = std::string(origin) + m_salt;
  std::string hash = util::ToHex(crypto::Sha256(util::AsBytes(text)).view());
  BS_TRY(auto node, crypto::DerivePrivateChild(apps, HashCode(hash) | HARDENED));
  return node.key;
}

util::Result<crypto::PrivateKey> Keychain::AppKeyV2(uint32_t index, std::string_view origin) const {
  BS_TRY(auto node, AppsNode(index));
  std::string text = std::string(origin) + m_salt;
  auto hash = crypto::Sha256(util::AsBytes(text));
  // The hash in eleven big-endian pieces of 3 bytes (the last of 2), each a hardened step.
  for (std::size_t i = 0; i < 11; ++i) {
    uint32_t step = 0;
    for (std::size_t j = i * 3; j < std::min<std::size_t>(i * 3 + 3, hash.size()); ++j)
      step = (step << 8) | hash.data[j];
    BS_TRY(node, crypto::DerivePrivateChild(node, step | HARDENED));
  }
  return node.key;
}

std::optional<uint32_t> Keychain::FindIdentity(const util::Hash160& hash160, uint32_t max) const {
  for (uint32_t i = 0; i < max && i < HARDENED; ++i) {
    auto key = OwnerKey(i);
    if (key && crypto::Hash160Of(key->GetPublicKey().Serialize(true)) == hash160) return i;
  }
  return std::nullopt;
}

util::Result<util::Bytes> EncryptMnemonic(std::string_view mnemonic, std::string_view password,
                                          std::optional<util::ByteView> salt) {
  BS_TRY(util::Bytes entropy, crypto::MnemonicToEntropy(mnemonic));
  util::Bytes s = salt ? util::Bytes(salt->begin(), salt->end()) : crypto::RandomBytes(SALT_SIZE);
  if (s.size() != SALT_SIZE) return Fail(ErrorCode::InvalidArgument, "the salt is 16 bytes");
  auto keys = KeysFor(password, s);
  BS_TRY(util::Bytes cipher, crypto::Aes128CbcEncrypt(keys.enc, keys.iv, entropy));
  util::Bytes payload = s;
  payload.insert(payload.end(), cipher.begin(), cipher.end());
  auto mac = crypto::HmacSha256(keys.mac, payload);
  util::Bytes out = s;
  out.insert(out.end(), mac.begin(), mac.end());
  out.insert(out.end(), cipher.begin(), cipher.end());
  return out;
}

util::Result<std::string> DecryptMnemonic(util::ByteView data, std::string_view password) {
  // 16 bytes of entropy make one AES block, padded to two.
  if (data.size() < SALT_SIZE + MAC_SIZE + 16 || (data.size() - SALT_SIZE - MAC_SIZE) % 16 != 0) {
    return Fail(ErrorCode::InvalidArgument,
                "not an encrypted mnemonic in the wallet's format (the older triplesec format is not read)");
  }
  util::ByteView salt = data.subspan(0, SALT_SIZE);
  util::ByteView mac = data.subspan(SALT_SIZE, MAC_SIZE);
  util::ByteView cipher = data.subspan(SALT_SIZE + MAC_SIZE);
  auto keys = KeysFor(password, salt);
  util::Bytes payload(salt.begin(), salt.end());
  payload.insert(payload.end(), cipher.begin(), cipher.end());
  auto expected = crypto::HmacSha256(keys.mac, payload);
  // Compare hashes of both, so the time taken says nothing about where they differ.
  if (crypto::Sha256(expected.view()) != crypto::Sha256(mac)) {
    return Fail(ErrorCode::Unauthorized, "wrong password: the encrypted mnemonic's MAC does not match");
  }
  auto entropy = crypto::Aes128CbcDecrypt(keys.enc, keys.iv, cipher);
  if (!entropy)
    return Fail(ErrorCode::Corruption, "the encrypted mnemonic does not decrypt: " + entropy.error().message);
  auto mnemonic = crypto::EntropyToMnemonic(*entropy);
  if (!mnemonic) return Fail(ErrorCode::Corruption, "the encrypted mnemonic does not hold a mnemonic's entropy");
  return mnemonic;
}

}  // namespace blockstack::client
