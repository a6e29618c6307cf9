// Base64 (RFC 4648), standard and URL-safe alphabets.
#pragma once

#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::util {

// Standard alphabet with '=' padding.
std::string EncodeBase64(ByteView data);
// URL-safe alphabet, no padding (JWS segments).
std::string EncodeBase64Url(ByteView data);
// Accepts either alphabet, with or without padding. Fails with InvalidArgument on
// characters outside the alphabet, misplaced padding or an impossible length.
Result<Bytes> DecodeBase64(std::string_view text);

}  // namespace blockstack::util
