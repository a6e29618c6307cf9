// Base58 (Bitcoin alphabet). The checksummed form lives in crypto/base58check.h.
#pragma once

#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::util {

// Longest base58 string DecodeBase58 accepts; longer input is refused, which bounds
// the quadratic decoding work an attacker can ask for.
inline constexpr std::size_t MAX_BASE58_LENGTH = 1024;

std::string EncodeBase58(ByteView data);
// Fails with InvalidArgument on a character outside the alphabet, surrounding
// whitespace included, or TooLarge past MAX_BASE58_LENGTH.
Result<Bytes> DecodeBase58(std::string_view text);

}  // namespace blockstack::util
