// Every BNS operation: its parsed form, its parser, its validity check (with its
// effects) and its payload builder. One .cpp per operation implements each block
// below; the section of ../shared/spec/bns.md is named in each file.
//
// Parsers return nullopt when the transaction is not that operation (a malformed
// payload is not a rejection). Checks return the Outcome (accepted with effects,
// or rejected with a reason) and fail only when the StateView fails. Builders
// return the whole OP_RETURN data: magic, opcode, payload.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <bns/ops/op.h>
#include <crypto/keys.h>

namespace blockstack::bns::ops {

util::Bytes MakeOpData(std::string_view magic, char opcode, util::ByteView body);

// --- NAME_PREORDER (§2.1) ---
struct NamePreorderOp {
  std::string preorder_hash;   // 40 hex
  std::string consensus_hash;  // 32 hex
  bool has_token_fields = false;
  uint64_t token_fee = 0;
  std::string token_units;
  int64_t op_fee = 0;
  std::string burn_address;
};
std::optional<NamePreorderOp> ParseNamePreorder(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckNamePreorder(const NamePreorderOp& op, const OpTx& tx, StateView& state,
                                        BlockContext& block, const Rules& rules);
util::Bytes BuildNamePreorder(std::string_view magic, const util::Hash160& preorder_hash,
                              std::string_view consensus_hash_hex);

// --- NAME_REGISTRATION and NAME_RENEWAL (§2.2) ---
struct RegistrationOp {
  std::string name;
  std::optional<std::string> value_hash;
  std::optional<uint64_t> token_fee;
  bool renewal = false;        // 4 or more outputs
  std::string recipient;       // outputs[1] script hex
  std::string recipient_address;
  int64_t renewal_fee = 0;     // renewal: outputs[3] value
  std::optional<std::string> renewal_burn_address;
  // Worked out when parsed, since they read no state: the hash the revealed
  // preorder must carry (registrations), and the name's 128-bit hash.
  std::optional<util::Hash160> preorder_hash;
  std::string name_hash128;
};
std::optional<RegistrationOp> ParseRegistration(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckRegistration(const RegistrationOp& op, const OpTx& tx, StateView& state,
                                        BlockContext& block, const Rules& rules);
// value_hash given: form B (name padded to 37 bytes + hash); otherwise form A.
util::Bytes BuildRegistration(std::string_view magic, std::string_view fqn,
                              const std::optional<util::Hash160>& value_hash);

// --- NAME_UPDATE (§2.3) ---
struct UpdateOp {
  std::string name_consensus_hash;  // 32 hex
  std::string value_hash;           // 40 hex
};
std::optional<UpdateOp> ParseUpdate(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckUpdate(const UpdateOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                  const Rules& rules);
util::Bytes BuildUpdate(std::string_view magic, std::string_view fqn, std::string_view consensus_hash_hex,
                        const util::Hash160& value_hash);

// --- NAME_TRANSFER (§2.4) ---
struct TransferOp {
  bool keep_data = true;
  std::string name_hash128;    // 32 hex
  std::string consensus_hash;  // 32 hex
  std::string recipient;
  std::string recipient_address;
};
std::optional<TransferOp> ParseTransfer(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckTransfer(const TransferOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                    const Rules& rules);
util::Bytes BuildTransfer(std::string_view magic, std::string_view fqn, bool keep_data,
                          std::string_view consensus_hash_hex);

// --- NAME_REVOKE (§2.5) ---
struct RevokeOp {
  std::string name;
};
std::optional<RevokeOp> ParseRevoke(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckRevoke(const RevokeOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                  const Rules& rules);
util::Bytes BuildRevoke(std::string_view magic, std::string_view fqn);

// --- NAME_IMPORT (§2.6) ---
struct ImportOp {
  std::string name;
  std::string recipient;
  std::string recipient_address;
  std::string value_hash;  // outputs[2]'s hash160
};
std::optional<ImportOp> ParseImport(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckImport(const ImportOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                  const Rules& rules);
util::Bytes BuildImport(std::string_view magic, std::string_view fqn);
// The addresses allowed to import into a namespace revealed by `reveal_key`: the
// key's own p2pkh address (as given and compressed) and its non-hardened BIP32
// children 0..size-1 (chain code zero), compressed, in the network's version.
std::vector<std::string> ImportKeyring(const crypto::PublicKey& reveal_key, uint32_t size,
                                       const bitcoin::NetworkParams& net);

// --- NAMESPACE_PREORDER (§2.7) ---
struct NamespacePreorderOp {
  std::string preorder_hash;
  std::string consensus_hash;
  std::optional<uint64_t> token_fee;
  int64_t op_fee = 0;
  std::string burn_address;
};
std::optional<NamespacePreorderOp> ParseNamespacePreorder(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckNamespacePreorder(const NamespacePreorderOp& op, const OpTx& tx, StateView& state,
                                             BlockContext& block, const Rules& rules);
util::Bytes BuildNamespacePreorder(std::string_view magic, const util::Hash160& preorder_hash,
                                   std::string_view consensus_hash_hex);

// --- NAMESPACE_REVEAL (§2.8) ---
struct RevealOp {
  std::string namespace_id;
  uint32_t lifetime = 0;
  uint32_t coeff = 0;
  uint32_t base = 0;
  std::array<uint8_t, 16> buckets{};
  uint32_t nonalpha_discount = 0;
  uint32_t no_vowel_discount = 0;
  int version = 0;
  std::string recipient;
  std::string recipient_address;
};
std::optional<RevealOp> ParseReveal(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckReveal(const RevealOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                  const Rules& rules);
util::Bytes BuildReveal(std::string_view magic, const RevealOp& op);

// --- NAMESPACE_READY (§2.9) ---
struct ReadyOp {
  std::string namespace_id;
};
std::optional<ReadyOp> ParseReady(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckReady(const ReadyOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                 const Rules& rules);
util::Bytes BuildReady(std::string_view magic, std::string_view namespace_id);

// --- ANNOUNCE (§2.10) ---
struct AnnounceOp {
  std::string message_hash;  // 40 hex
};
std::optional<AnnounceOp> ParseAnnounce(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckAnnounce(const AnnounceOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                    const Rules& rules);
util::Bytes BuildAnnounce(std::string_view magic, const util::Hash160& message_hash);

// --- TOKEN_TRANSFER (§2.11) ---
struct TokenTransferOp {
  std::string consensus_hash;
  std::string token_type;
  uint64_t amount = 0;
  std::string scratch_area;  // hex
  std::string recipient;
  std::string recipient_address;
};
std::optional<TokenTransferOp> ParseTokenTransfer(const OpTx& tx, const Rules& rules);
util::Result<Outcome> CheckTokenTransfer(const TokenTransferOp& op, const OpTx& tx, StateView& state,
                                         BlockContext& block, const Rules& rules);

// --- dispatch ---
using ParsedOp = std::variant<NamePreorderOp, RegistrationOp, UpdateOp, TransferOp, RevokeOp, ImportOp,
                              NamespacePreorderOp, RevealOp, ReadyOp, AnnounceOp, TokenTransferOp>;
std::optional<ParsedOp> ParseOp(const OpTx& tx, const Rules& rules);
// The key a state-creating operation (registration, reveal) claims in its block.
std::optional<std::string> CreationKey(const ParsedOp& op);
util::Result<Outcome> CheckOp(const ParsedOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                              const Rules& rules);
const char* OpName(const ParsedOp& op);  // "NAME_PREORDER", ...

}  // namespace blockstack::bns::ops
