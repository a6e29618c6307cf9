// Parsing of the http(s) URLs given on command lines and in config files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <util/result.h>

namespace blockstack::util {

struct Url {
  std::string scheme;    // "http" or "https", lowercase
  std::string user;      // percent-decoded; empty when absent
  std::string password;  // percent-decoded; empty when absent
  std::string host;      // without brackets for IPv6 literals
  uint16_t port = 0;     // explicit port, or the scheme's default
  std::string target;    // path plus query, at least "/"

  // "scheme://host:port" (no credentials): safe to print in logs and errors.
  std::string Origin() const;
};

// Parses "scheme://[user[:password]@]host[:port][/path]". Fails with
// InvalidArgument, saying which part is wrong.
Result<Url> ParseUrl(std::string_view text);

// Splits "host:port" (or "[v6]:port"). Fails with InvalidArgument. Port 0 (a
// listener's "pick a free port") only when allow_zero_port.
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text, bool allow_zero_port = false);

// Encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - _ . ~) as
// %XX with uppercase hex, keeping '/' when keep_slash (URL paths, S3 keys).
std::string PercentEncode(std::string_view text, bool keep_slash);

// Decodes %XX escapes; fails on a malformed escape.
Result<std::string> PercentDecode(std::string_view text);

}  // namespace blockstack::util
