// BIP32 hierarchical deterministic keys: the master key of a seed, private and
// public child derivation, and the xprv/xpub serialisation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <crypto/keys.h>

namespace blockstack::crypto {

inline constexpr uint32_t HARDENED = 0x80000000u;

struct ExtendedPublicKey {
  PublicKey key;
  util::FixedBytes<32> chain_code;
  uint8_t depth = 0;
  uint32_t parent_fingerprint = 0;
  uint32_t child_number = 0;
};

struct ExtendedPrivateKey {
  PrivateKey key;
  util::FixedBytes<32> chain_code;
  uint8_t depth = 0;
  uint32_t parent_fingerprint = 0;
  uint32_t child_number = 0;

  ExtendedPublicKey Neuter() const;
};

// The master key of a seed (16 to 64 bytes): HMAC-SHA512 keyed "Bitcoin seed".
// Fails with InvalidArgument on another seed length and in the 1-in-2^127 case of
// an invalid master key.
util::Result<ExtendedPrivateKey> MasterKeyFromSeed(util::ByteView seed);

// The child `index` of `parent`; indexes from HARDENED up are hardened. Fails with
// InvalidArgument when the child is invalid (the caller moves to the next index,
// as BIP32 says) or the depth would pass 255.
util::Result<ExtendedPrivateKey> DerivePrivateChild(const ExtendedPrivateKey& parent, uint32_t index);
// The non-hardened child `index` (< 2^31) of `parent`. The child key is compressed.
// Fails with InvalidArgument for a hardened index, and when the child is invalid.
util::Result<ExtendedPublicKey> DerivePublicChild(const ExtendedPublicKey& parent, uint32_t index);

// A path such as "m/888'/0'/3'" (or "m/44h/0h/0h/0/0") below `root`. Fails with
// InvalidArgument on a malformed path.
util::Result<ExtendedPrivateKey> DerivePath(const ExtendedPrivateKey& root, std::string_view path);

// The first four bytes of HASH160 of the compressed public key, big-endian.
uint32_t Fingerprint(const PublicKey& key);

// Base58check serialisation with Bitcoin mainnet versions (xprv, xpub), which is
// what the original wallet wrote for every network.
std::string ToBase58(const ExtendedPrivateKey& key);
std::string ToBase58(const ExtendedPublicKey& key);
util::Result<ExtendedPrivateKey> PrivateFromBase58(std::string_view text);

}  // namespace blockstack::crypto
