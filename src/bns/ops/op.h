// The shared shapes of BNS operations: what a filtered transaction gives the
// parsers, the rules in force, the per-block context, and what an accepted
// operation does to the database. Pure code: no I/O beyond the StateView.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <bitcoin/network.h>
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <bns/epochs.h>
#include <bns/records.h>
#include <bns/state_view.h>

namespace blockstack::bns::ops {

// Opcode bytes (the third byte of the OP_RETURN payload).
inline constexpr char NAME_PREORDER = '?';
inline constexpr char NAME_REGISTRATION = ':';
inline constexpr char NAME_UPDATE = '+';
inline constexpr char NAME_TRANSFER = '>';
inline constexpr char NAME_REVOKE = '~';
inline constexpr char NAME_IMPORT = ';';
inline constexpr char NAMESPACE_PREORDER = '*';
inline constexpr char NAMESPACE_REVEAL = '&';
inline constexpr char NAMESPACE_READY = '!';
inline constexpr char ANNOUNCE = '#';
inline constexpr char TOKEN_TRANSFER = '$';
// The opcode name of a record's op field, as the original named it (its first
// character decides: a renewal's record says NAME_REGISTRATION); "" when unknown.
const char* OpcodeNameOf(std::string_view op);

// Bumped whenever a rule change can alter the consensus hashes of a chain
// already indexed (a node refuses a database indexed under another revision).
// 2: NAMESPACE_READY records take the READY's sender; an imported name keeps a
//    float op_fee through renewals (both as the original).
inline constexpr int RULES_REVISION = 2;

inline constexpr uint32_t MAX_NAMES_PER_SENDER = 25;
inline constexpr uint32_t NAME_PREORDER_EXPIRE = 144;
inline constexpr uint32_t CONSENSUS_HASH_WINDOW = 24;

// Everything about one filtered transaction that the parsers and checks read.
struct OpTx {
  uint32_t block_height = 0;
  uint32_t vtxindex = 0;          // index of the transaction in its Bitcoin block
  std::string txid;               // display hex
  char opcode = 0;
  util::Bytes payload;            // the OP_RETURN data after magic and opcode
  std::vector<bitcoin::TxOut> outputs;
  std::string sender;             // scriptPubKey hex of the first input's funding output
  std::string sender_address;
  bitcoin::ScriptType sender_type = bitcoin::ScriptType::Other;
  std::optional<std::string> sender_pubkey;  // hex, for p2pkh senders whose key was found
};

// The rules a node runs with.
struct Rules {
  bitcoin::Network network = bitcoin::Network::Mainnet;
  EpochSchedule epochs = EpochSchedule::Mainnet();
  uint32_t first_block = 373601;
  uint32_t namespace_reveal_expire = 52595;
  uint32_t import_keyring_size = 300;
  bool test_mode = false;                  // 1-char namespaces cost 41 BTC
  std::vector<std::string> announcers;     // names whose owners may ANNOUNCE

  const bitcoin::NetworkParams& Net() const { return bitcoin::Params(network); }
  // The burn address: hash160 of 20 zero bytes with this network's p2pkh version.
  std::string BurnAddress() const;
};

// The NAME_IMPORT keyrings derived so far (spec bns.md §2.6): deriving one takes
// hundreds of EC operations and every import of a namespace asks about the same
// one, so the newest few are kept. A pure memo (the answer depends only on the
// arguments), owned by whoever indexes (the engine) and safe to share between
// threads.
class KeyringMemo {
 public:
  // Whether address is in the keyring of the public key root_hex (hex) of the
  // given size on net; false when root_hex is not a public key.
  bool Contains(const std::string& root_hex, uint32_t size, const bitcoin::NetworkParams& net,
                const std::string& address);

 private:
  std::mutex m_mutex;
  std::map<std::tuple<std::string, uint32_t, std::string>, std::set<std::string>> m_rings;
};

// What the block being processed has seen so far.
struct BlockContext {
  KeyringMemo* keyrings = nullptr;         // the indexer's; none: keyrings are derived each time
  std::set<std::string> collided;          // names / namespace IDs with colliding creations
  std::set<std::string> preorder_hashes;   // preorder hashes accepted in this block
  // scripts that received a NAME_REGISTRATION accepted in this block (one entry per name)
  std::vector<std::string> registration_recipients;
};

// The history row an accepted operation writes.
struct HistoryEntry {
  std::string history_id;  // name, namespace ID or address
  std::string op;
  std::string opcode_name;
  std::optional<std::string> value_hash;
  std::optional<std::string> creator_address;
  uint32_t block_height = 0;
  uint32_t vtxindex = 0;
  std::string txid;
  std::string data;  // the post-operation record, stored form (bns/records_codec.h)
};

// What an accepted operation changes. Applied by the database in one go.
struct Effect {
  std::optional<NameRecord> name;              // upsert
  std::optional<NamespaceRecord> ns;           // upsert
  std::optional<PreorderRecord> new_preorder;  // insert
  std::optional<PreorderRecord> consumed_preorder;  // delete, and write into the name's history
  std::vector<HistoryEntry> history;
  // Canonical serialisation for the consensus hash; empty for ANNOUNCE.
  std::string serialized;
  // ANNOUNCE: the announced message hash.
  std::optional<std::string> announcement;
};

struct Outcome {
  bool accepted = false;
  std::string reason;  // why it was rejected
  Effect effect;

  static Outcome Reject(std::string why) {
    Outcome o;
    o.reason = std::move(why);
    return o;
  }
  static Outcome Accept(Effect e) {
    Outcome o;
    o.accepted = true;
    o.effect = std::move(e);
    return o;
  }
};

// --- helpers shared by the operation files ---

// The address of outputs[i] (p2pkh/p2sh), or nullopt.
std::optional<std::string> OutputAddress(const OpTx& tx, std::size_t i, const Rules& rules);
// Whether outputs[0..n) exist and each is OP_RETURN, p2pkh or p2sh (§0).
bool OutputsTypeChecked(const OpTx& tx, std::size_t n);
// Whether `ch` (32 hex) is the consensus hash of a block in [H-24, H].
util::Result<bool> ConsensusHashInWindow(StateView& state, std::string_view ch, uint32_t height);
// Live names owned by `script` at height h, from summaries (names only), in name
// order; with unrevoked_only, revoked names are left out.
util::Result<std::vector<std::string>> LiveNameListOwnedBy(StateView& state, std::string_view script, uint32_t h,
                                                           const Rules& rules, bool unrevoked_only = false);
// Names owned at H-1 plus registrations to `script` accepted earlier in this block.
util::Result<uint32_t> NamesOwnedCount(StateView& state, const BlockContext& block, std::string_view script,
                                       uint32_t height, const Rules& rules);
// A name record whose namespace is known, for status checks.
struct LoadedName {
  NameRecord rec;
  NamespaceRecord ns;
};
util::Result<std::optional<LoadedName>> LoadName(StateView& state, std::string_view fqn);
// A history row for `tx` (its height, position and txid).
HistoryEntry MakeHistory(const OpTx& tx, std::string id, std::string op, std::string opcode_name,
                         std::optional<std::string> value_hash, std::string data);
// The history row a consumed preorder leaves in the name's or namespace's history,
// at the preorder's own height and position.
HistoryEntry PreorderHistory(const PreorderRecord& preorder, std::string id, std::string opcode_name);
// A preorder row (name or namespace) made by `tx`.
PreorderRecord MakePreorder(const OpTx& tx, char opcode, std::string preorder_hash, std::string consensus_hash,
                            int64_t op_fee, std::string burn_address);
// The stored form of a record, for history rows (bns/records_codec.h).
std::string RecordData(const NameRecord& r);
std::string RecordData(const NamespaceRecord& r);
std::string RecordData(const PreorderRecord& r);
std::string Hex(util::ByteView b);

}  // namespace blockstack::bns::ops
