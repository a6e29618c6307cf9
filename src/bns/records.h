// The records of the name database (spec bns.md §5) and their canonical field
// values for the consensus hash (§4.1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <bns/pricing.h>
#include <util/bytes.h>
#include <virtualchain/canonical.h>

namespace blockstack::bns {

// op_fee as the reference stored it: satoshis (int), or a float for imported names.
using OpFee = std::variant<int64_t, double>;

struct NameRecord {
  std::string name;                          // fully qualified
  std::string namespace_id;
  std::string preorder_hash;
  std::string name_hash128;
  uint32_t namespace_block_number = 0;
  std::optional<std::string> value_hash;     // zone-file hash, 40 hex
  std::string sender;                        // owner scriptPubKey, hex
  std::optional<std::string> sender_pubkey;  // hex
  std::string address;                       // owner address
  uint32_t block_number = 0;
  uint32_t preorder_block_number = 0;
  uint32_t first_registered = 0;
  uint32_t last_renewed = 0;
  bool revoked = false;
  std::string op;                            // opcode(s) of the last operation: "?", ":", "::", "+", ">>", ">~", "~", ";"
  std::string txid;                          // display hex of the last operation's transaction
  uint32_t vtxindex = 0;
  OpFee op_fee = int64_t{0};
  std::optional<std::string> importer;       // importer scriptPubKey, hex
  std::optional<std::string> importer_address;
  std::optional<std::string> consensus_hash; // last NAME_UPDATE's since registration
  std::string token_fee = "0";
  std::string last_creation_op;              // "?" (registered) or ";" (imported)
  bool operator==(const NameRecord&) const = default;
};

struct NamespaceRecord {
  std::string namespace_id;
  std::string preorder_hash;
  int version = 1;
  std::string sender;                        // revealer's funding scriptPubKey, hex
  std::optional<std::string> sender_pubkey;
  std::string address;                       // sender's address
  std::string recipient;                     // reveal output[1] scriptPubKey, hex
  std::string recipient_address;
  uint32_t block_number = 0;                 // the preorder's block
  uint32_t reveal_block = 0;
  uint32_t ready_block = 0;                  // 0 until NAMESPACE_READY
  std::string op;                            // "&" or "!"
  int64_t op_fee = 0;
  std::string txid;
  uint32_t vtxindex = 0;
  uint32_t lifetime = 0;
  uint32_t coeff = 0;
  uint32_t base = 0;
  std::array<uint8_t, 16> buckets{};
  uint32_t nonalpha_discount = 1;
  uint32_t no_vowel_discount = 1;
  std::string token_fee = "0";
  // The public key (hex) of the first NAME_IMPORT, root of the import keyring.
  std::optional<std::string> import_key;
  bool operator==(const NamespaceRecord&) const = default;

  bool IsReady() const { return ready_block != 0; }
  NamespacePricing Pricing() const;
};

// Name and namespace preorders share one table, told apart by op ("?" or "*").
struct PreorderRecord {
  std::string preorder_hash;
  std::string consensus_hash;
  std::string sender;
  std::optional<std::string> sender_pubkey;
  std::string address;
  uint32_t block_number = 0;
  std::string op;
  int64_t op_fee = 0;
  std::string txid;
  uint32_t vtxindex = 0;
  std::string burn_address;
  std::string token_fee = "0";
  std::string token_units = "BTC";
  bool operator==(const PreorderRecord&) const = default;
};

// One operation in a block's op log: every operation parsed, accepted or not.
struct OpRow {
  uint32_t block_id = 0;
  uint32_t vtxindex = 0;
  std::string txid;
  std::string opcode;  // "NAME_PREORDER", ...
  bool accepted = false;
  std::string reason;   // why it was rejected; empty when accepted
  util::Bytes raw_tx;   // non-witness serialisation
  std::string senders;  // JSON array of [scriptPubKey hex, value] per input
  // Its canonical serialisation in the block's ops hash (spec bns.md §4.1); empty
  // when rejected, and in blocks indexed before it was kept.
  std::string serialized;
  bool operator==(const OpRow&) const = default;
};

inline constexpr uint32_t NAMESPACE_LIFE_INFINITE = 0xffffffff;

// Canonical values of NAMEREC_FIELDS: name, value_hash, sender, sender_pubkey,
// address, block_number, preorder_block_number, first_registered, last_renewed,
// revoked, op, txid, vtxindex, op_fee, importer, importer_address.
std::vector<virtualchain::Value> NameRecordValues(const NameRecord& r);
// NAMESPACE_REVEAL's field list; with_ready_block appends ready_block (NAMESPACE_READY).
std::vector<virtualchain::Value> NamespaceValues(const NamespaceRecord& r, bool with_ready_block);
virtualchain::Value Opt(const std::optional<std::string>& s);

}  // namespace blockstack::bns
