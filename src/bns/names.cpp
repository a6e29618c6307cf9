#include <bns/names.h>

#include <algorithm>

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
