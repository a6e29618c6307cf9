// What a node answers so that a client can check a name against one consensus
// hash it trusts (doc/proofs.md): a name's history bundle, and a proof of the
// name's current record (or its absence) against the node's name-state root.
// Both are JSON; the readers here take hostile text (bounded, every field
// checked) and are fuzzed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <proofs/state_tree.h>
#include <util/result.h>

namespace blockstack::proofs {

inline constexpr int BUNDLE_VERSION = 1;
// What a reader accepts: a bundle is paged by the node well below these.
inline constexpr std::size_t MAX_BUNDLE_BYTES = 64u << 20;
inline constexpr std::size_t MAX_BUNDLE_BLOCKS = 1000;
inline constexpr std::size_t MAX_BUNDLE_LINKS = 100000;
inline constexpr std::size_t MAX_OPS_PER_BLOCK = 100000;

// A canonical serialisation (spec bns.md §4.1), "<op>:len:value,len:value",
// read back into its opcode and field values (views into the text).
struct SerializedOp {
  char opcode = 0;
  std::vector<std::string_view> fields;
};
util::Result<SerializedOp> ParseSerializedOp(std::string_view text);

// The name operations, whose serialisations start with the name record's 16
// fields (NAMEREC_FIELDS) as the operation left it: registration and renewal,
// update, transfer, revoke, import.
bool IsNameOpcode(char opcode);
inline constexpr std::size_t NAME_RECORD_FIELDS = 16;
enum NameField : std::size_t {
  FIELD_NAME = 0,
  FIELD_VALUE_HASH = 1,
  FIELD_ADDRESS = 4,
  FIELD_FIRST_REGISTERED = 7,
  FIELD_LAST_RENEWED = 8,
  FIELD_REVOKED = 9,
  FIELD_OP = 10,
  FIELD_TXID = 11,
  FIELD_VTXINDEX = 12,
};
// A name operation's record: the name and the text of its first 16 fields
// ("len:value" joined by commas), which is the canonical text of the record the
// operation left. Views into the serialisation.
struct OpRecord {
  std::string_view name;
  std::string_view text;
};
util::Result<OpRecord> RecordOfOp(std::string_view serialized);

// The state-tree value of a name: SHA256 of its record's canonical text followed
// by one more field, the number of name operations it has had in all (the
// newest left the record): record + "," + len:operations. The count makes the
// root commit to how long the name's history is, so a history with a block left
// out does not match it.
Hash256 StateValue(std::string_view record, uint64_t operations);

// One block's consensus hash inputs: its ops hash and the earlier consensus
// hashes it mixed in, at height-1, height-3, height-7, ... (spec bns.md §4.3).
struct Link {
  uint32_t height = 0;
  std::string ops_hash;
  std::vector<std::string> previous;
};

// One of the name's operations in a block: its transaction, whole.
struct NameOp {
  std::string txid;
  uint32_t vtxindex = 0;
  std::string raw_tx;  // hex, without witness data
};

// A block in which an operation touched the name: every operation it accepted
// (their serialisations, in transaction order) and the name's own.
struct BlockOps {
  uint32_t height = 0;
  std::vector<std::string> ops;
  std::vector<NameOp> name_ops;
};

// The heights of the links that take a client from block `from` down to block
// `to` (from >= to; empty when equal): each step the furthest earlier hash mixed
// in that does not pass `to`.
std::vector<uint32_t> LinkPath(uint32_t from, uint32_t to, uint32_t first_block);

struct HistoryBundle {
  std::string name;
  uint32_t anchor_height = 0;
  std::string anchor_consensus_hash;
  uint32_t first_block = 0;
  std::vector<BlockOps> blocks;  // newest first
  std::vector<Link> links;       // highest first, the anchor's first
  // More history below this page: the consensus hash (of the oldest block here)
  // to anchor the next page on.
  std::optional<std::string> next_anchor;
};

std::string ToJson(const HistoryBundle& bundle);
util::Result<HistoryBundle> ParseHistoryBundle(std::string_view text);

// Zone files by their hash (40 hex): the text, or nullopt for one the node does
// not hold. In JSON the texts are base64, since a zone file is any bytes.
using Zonefiles = std::map<std::string, std::optional<std::string>>;
inline constexpr std::size_t MAX_BUNDLE_ZONEFILES = 10000;

// A name whose zone files carry a subdomain's records, at the same anchor.
struct Carrier {
  HistoryBundle history;
  Zonefiles zonefiles;
};

// A subdomain's bundle (GET /v1/proofs/names/{sub.domain.id}): one page of its
// domain's history with the zone file of every operation there that announced
// one, and (on the first page) the other names whose zone files carried
// records the node accepted for it, each with only those blocks.
struct SubdomainBundle {
  std::string subdomain;
  uint32_t first_block = 0;  // the first block whose zone files carry subdomains
  Carrier domain;
  std::vector<Carrier> others;
};

std::string ToJson(const SubdomainBundle& bundle);
util::Result<SubdomainBundle> ParseSubdomainBundle(std::string_view text);

// A name's current record, or its absence, against the node's state root at a
// block.
struct StateAnswer {
  std::string name;
  uint32_t height = 0;
  std::string consensus_hash;  // the node's at that height
  Hash256 root;
  StateProof proof;
};

std::string ToJson(const StateAnswer& answer);
util::Result<StateAnswer> ParseStateAnswer(std::string_view text);

// The root a node reports for a block: GET /v1/proofs/roots/{height}.
struct RootAnswer {
  uint32_t height = 0;
  std::string consensus_hash;
  Hash256 root;
};
std::string ToJson(const RootAnswer& answer);
util::Result<RootAnswer> ParseRootAnswer(std::string_view text);

}  // namespace blockstack::proofs
