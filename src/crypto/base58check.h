// Base58Check: base58 of payload plus the first 4 bytes of its double SHA-256.
#pragma once

#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::crypto {

std::string EncodeBase58Check(util::ByteView payload);
// Returns the payload without the checksum. Fails with InvalidArgument on bad
// characters, a too-short string or a checksum mismatch.
util::Result<util::Bytes> DecodeBase58Check(std::string_view text);
// base58check(version || hash): a P2PKH/P2SH-style address.
std::string EncodeVersionedHash(uint8_t version, const util::Hash160& hash);

}  // namespace blockstack::crypto
