#include <bns/names.h>

#include <algorithm>
#include <cstdio>

#include <crypto/hash.h>

namespace blockstack::bns {
namespace {

constexpr std::string_view B40_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz-_.+";

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

// The first 16 bytes of SHA-256(text || suffix): the 128-bit hashes of names.
util::FixedBytes<16> Hash128Of(std::string_view text, std::string_view suffix) {
  crypto::Sha256Hasher hasher;
  const auto digest = hasher.Update(util::AsBytes(text)).Update(util::AsBytes(suffix)).Finish();
  util::FixedBytes<16> out;
  std::copy_n(digest.data.begin(), out.data.size(), out.data.begin());
  return out;
}

}  // namespace

util::Result<util::Bytes> B40ToBin(std::string_view text) {
  // Big-number conversion base 40 -> base 256, most significant digit first.
  util::Bytes num;  // big-endian, no leading zero bytes
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto digit = B40_ALPHABET.find(text[i]);
    if (digit == std::string_view::npos) {
      return util::Fail(util::ErrorCode::InvalidArgument, "character outside the base-40 alphabet at offset " + std::to_string(i));
    }
    unsigned carry = static_cast<unsigned>(digit);
    for (auto it = num.rbegin(); it != num.rend(); ++it) {
      unsigned v = static_cast<unsigned>(*it) * 40 + carry;
      *it = static_cast<uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    while (carry > 0) {
      num.insert(num.begin(), static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  // The reference converts through a hex string: an integer 0 is "0", padded to "00".
  if (num.empty()) num.push_back(0);
  return num;
}

bool IsNamespaceIdValid(std::string_view id) {
  if (id.empty() || id.size() > MAX_NAMESPACE_ID_LENGTH) return false;
  for (char c : id) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

std::optional<SplitName> Split(std::string_view fqn) {
  if (fqn.size() > MAX_FQN_LENGTH) return std::nullopt;
  auto dot = fqn.find('.');
  if (dot == std::string_view::npos || fqn.find('.', dot + 1) != std::string_view::npos) return std::nullopt;
  std::string_view name = fqn.substr(0, dot);
  std::string_view ns = fqn.substr(dot + 1);
  if (name.empty() || !IsNamespaceIdValid(ns)) return std::nullopt;
  for (char c : name) {
    if (!IsNameChar(c)) return std::nullopt;
  }
  return SplitName{std::string(name), std::string(ns)};
}

bool IsNameValid(std::string_view fqn) { return Split(fqn).has_value(); }

namespace {

constexpr const char* NAME_RULE =
    "a name is NAME.NAMESPACE: lowercase letters a-z, digits 0-9, '-' and '_', one dot, at most 37 characters in "
    "all, the namespace ID at most 19";

// The first character of part that a name may not hold, described.
std::optional<std::string> BadChar(std::string_view part, std::size_t offset) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (IsNameChar(c)) continue;
    const std::string pos = "at position " + std::to_string(offset + i + 1);
    if (c >= 'A' && c <= 'Z') return "the uppercase '" + std::string(1, c) + "' " + pos + " (names are lowercase)";
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(c));
      return std::string("the byte ") + hex + " " + pos;
    }
    return "the character '" + std::string(1, c) + "' " + pos;
  }
  return std::nullopt;
}

std::string Problem(const std::string& what) { return what + "; " + NAME_RULE; }

}  // namespace

std::optional<std::string> NamespaceIdProblem(std::string_view id) {
  if (id.empty()) return Problem("the namespace ID is empty");
  if (id.size() > MAX_NAMESPACE_ID_LENGTH) {
    return Problem("the namespace ID has " + std::to_string(id.size()) + " characters");
  }
  if (auto bad = BadChar(id, 0)) return Problem(*bad);
  return std::nullopt;
}

std::optional<std::string> NameProblem(std::string_view fqn) {
  if (IsNameValid(fqn)) return std::nullopt;
  auto dot = fqn.find('.');
  if (dot == std::string_view::npos) return Problem("there is no dot (the namespace is missing)");
  if (fqn.find('.', dot + 1) != std::string_view::npos) {
    return Problem(
        "there is more than one dot (a subdomain, sub.name.namespace, is registered in its domain's zone "
        "file or through a registrar)");
  }
  if (dot == 0) return Problem("the part before the dot is empty");
  if (auto bad = BadChar(fqn.substr(0, dot), 0)) return Problem(*bad);
  if (auto ns = NamespaceIdProblem(fqn.substr(dot + 1))) return ns;
  return Problem("it has " + std::to_string(fqn.size()) + " characters");
}

util::Result<util::Hash160> HashName(std::string_view name, util::ByteView script_pubkey, std::string_view address) {
  BS_TRY(util::Bytes data, B40ToBin(name));
  data.insert(data.end(), script_pubkey.begin(), script_pubkey.end());
  data.insert(data.end(), address.begin(), address.end());
  return crypto::Hash160Of(data);
}

std::string NameHash128(std::string_view name) { return Hash128Of(name, {}).Hex(); }

std::string NameConsensusHash(std::string_view name, std::string_view consensus_hash_hex) {
  return Hash128Of(name, consensus_hash_hex).Hex();
}

bool Hash128Matches(std::string_view expected_hex, std::string_view text, std::string_view suffix) {
  return util::IsHexOf(expected_hex, Hash128Of(text, suffix).view());
}

}  // namespace blockstack::bns
