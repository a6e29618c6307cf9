// Name syntax and the hashes that bind names in BNS operations (spec bns.md §2,
// "Hash primitives" and "Name syntax").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::bns {

inline constexpr std::size_t MAX_FQN_LENGTH = 37;
inline constexpr std::size_t MAX_NAMESPACE_ID_LENGTH = 19;

// b40_to_bin: the string read as a base-40 number over
// "0123456789abcdefghijklmnopqrstuvwxyz-_.+", as big-endian bytes. QUIRK: leading
// '0' digits vanish; the empty string (or all zeros) gives one 0x00 byte. Fails on
// a character outside the alphabet.
util::Result<util::Bytes> B40ToBin(std::string_view text);

// "name.ns": exactly one '.', non-empty parts, name part in [a-z0-9-_], namespace
// valid, at most 37 bytes in all.
bool IsNameValid(std::string_view fqn);
// [a-z0-9-_]{1,19}
bool IsNamespaceIdValid(std::string_view id);

// Why a name or namespace ID is not valid, in words for a user (which character
// at which position, which length), followed by the rule; nullopt when valid.
std::optional<std::string> NameProblem(std::string_view fqn);
std::optional<std::string> NamespaceIdProblem(std::string_view id);

struct SplitName {
  std::string name;       // without the namespace
  std::string namespace_id;
};
// Splits a valid FQN; nullopt when it is not valid.
std::optional<SplitName> Split(std::string_view fqn);

// hash160(b40_to_bin(name) || script_pubkey || ASCII(address)): the preorder hash.
// Fails when name holds a character outside the b40 alphabet.
util::Result<util::Hash160> HashName(std::string_view name, util::ByteView script_pubkey, std::string_view address);
// hex(first 16 bytes of SHA-256(name)).
std::string NameHash128(std::string_view name);
// hex(first 16 bytes of SHA-256(name || consensus hash as lowercase hex text)).
std::string NameConsensusHash(std::string_view name, std::string_view consensus_hash_hex);
// Whether hex(first 16 bytes of SHA-256(text || suffix)) is `expected_hex` (lowercase,
// as payloads are decoded), without building the text: NameHash128 and
// NameConsensusHash checked against every name a sender owns.
bool Hash128Matches(std::string_view expected_hex, std::string_view text, std::string_view suffix = {});

}  // namespace blockstack::bns
