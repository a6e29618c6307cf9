// BIP32 public child derivation (CKDpub), as the NAME_IMPORT keyring needs it.
#pragma once

#include <cstdint>

#include <crypto/keys.h>

namespace blockstack::crypto {

struct ExtendedPublicKey {
  PublicKey key;
  util::FixedBytes<32> chain_code;
};

// The non-hardened child `index` (< 2^31) of `parent`. The child key is compressed.
// Fails with InvalidArgument for a hardened index, and in the 1-in-2^127 case where
// the child is invalid (the caller moves to the next index, as BIP32 says).
util::Result<ExtendedPublicKey> DerivePublicChild(const ExtendedPublicKey& parent, uint32_t index);

}  // namespace blockstack::crypto
