// Legacy (pre-segwit) signature hashing and p2pkh input signing.
#pragma once

#include <cstdint>

#include <bitcoin/tx.h>
#include <crypto/keys.h>

namespace blockstack::bitcoin {

inline constexpr uint8_t SIGHASH_ALL = 0x01;
inline constexpr uint8_t SIGHASH_NONE = 0x02;
inline constexpr uint8_t SIGHASH_SINGLE = 0x03;
inline constexpr uint8_t SIGHASH_ANYONECANPAY = 0x80;

// The legacy signature hash of input `index` signing with `script_code` (the
// spent output's scriptPubKey for p2pkh). Fails with InvalidArgument on a bad index.
// SIGHASH_SINGLE with no matching output gives the historical "one" hash.
util::Result<Hash256> LegacySignatureHash(const Transaction& tx, std::size_t index, ByteView script_code,
                                          uint32_t hash_type);

// Signs input `index`, which spends a p2pkh output with `prev_script`, with SIGHASH_ALL,
// and sets its scriptSig to <sig> <pubkey>. Fails when the key does not match the script.
util::Status SignP2pkhInput(Transaction& tx, std::size_t index, ByteView prev_script, const crypto::PrivateKey& key);

}  // namespace blockstack::bitcoin
