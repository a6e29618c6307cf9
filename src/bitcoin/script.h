// Bitcoin scripts: tokenising, classifying, and building the standard shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::bitcoin {

using util::Bytes;
using util::ByteView;

inline constexpr uint8_t OP_0 = 0x00;
inline constexpr uint8_t OP_PUSHDATA1 = 0x4c;
inline constexpr uint8_t OP_PUSHDATA2 = 0x4d;
inline constexpr uint8_t OP_PUSHDATA4 = 0x4e;
inline constexpr uint8_t OP_1 = 0x51;
inline constexpr uint8_t OP_16 = 0x60;
inline constexpr uint8_t OP_RETURN = 0x6a;
inline constexpr uint8_t OP_DUP = 0x76;
inline constexpr uint8_t OP_EQUAL = 0x87;
inline constexpr uint8_t OP_EQUALVERIFY = 0x88;
inline constexpr uint8_t OP_HASH160 = 0xa9;
inline constexpr uint8_t OP_CHECKSIG = 0xac;

enum class ScriptType { P2pkh, P2sh, P2wpkh, P2wsh, NullData, Other };

const char* ScriptTypeName(ScriptType type);  // "p2pkh", "p2sh", "p2wpkh", "p2wsh", "nulldata", "nonstandard"

// One token of a script: an opcode, and for pushes (opcodes 0x00-0x4e) the data.
struct ScriptToken {
  uint8_t opcode = 0;
  bool is_push = false;
  ByteView data;  // points into the script
};

// Tokenises a script. Fails with Corruption when a push runs past the end.
util::Result<std::vector<ScriptToken>> TokenizeScript(ByteView script);

// Classifies a scriptPubKey by its exact template. A script starting with
// OP_RETURN is NullData whatever follows.
ScriptType ClassifyScript(ByteView script);

// The payload of an OP_RETURN output: the script must be exactly OP_RETURN followed
// by one data push (any push encoding). Returns nullopt otherwise, including for a
// bad push or an opcode in second place.
std::optional<ByteView> OpReturnPayload(ByteView script);

// For p2pkh / p2sh / p2wpkh scripts: the 20-byte hash inside; nullopt otherwise.
std::optional<util::Hash160> ScriptHash160(ByteView script);

// Appends a minimal push of data to script.
void AppendPush(Bytes& script, ByteView data);

Bytes MakeP2pkhScript(const util::Hash160& pubkey_hash);
Bytes MakeP2shScript(const util::Hash160& script_hash);
// OP_RETURN <data>, with the minimal push. Fails with TooLarge above 520 bytes.
util::Result<Bytes> MakeOpReturnScript(ByteView data);

}  // namespace blockstack::bitcoin
