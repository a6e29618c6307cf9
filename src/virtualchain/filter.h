// What the scanner hands the state engine, and the pure rules that decide it
// (spec bns.md §1.2-1.3): which transactions carry Blockstack operations, and
// who sent them. No I/O, no threads, no clock: the consensus core.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bitcoin/network.h>
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::virtualchain {

// The funding output of one input.
struct Sender {
  util::Bytes script_pubkey;
  int64_t value = 0;
  bitcoin::ScriptType type = bitcoin::ScriptType::Other;
  std::optional<std::string> address;
};

struct FilteredTx {
  uint32_t vtxindex = 0;
  util::Hash256 txid;
  bitcoin::Transaction tx;
  // The transaction as serialised without witness data, when the scanner has it
  // (empty otherwise).
  util::Bytes raw;
  char opcode = 0;
  util::Bytes payload;                       // after magic and opcode
  std::vector<Sender> senders;               // one per input
  std::optional<std::string> sender_pubkey;  // hex, p2pkh senders only
  int64_t fee = 0;
};

// What an engine makes of a block before processing it (engine-defined).
class PreparedBlock {
 public:
  virtual ~PreparedBlock() = default;
};

class StateEngine {
 public:
  virtual ~StateEngine() = default;
  virtual util::Result<std::optional<uint32_t>> LastBlock() = 0;
  virtual util::Result<std::optional<util::Hash256>> StoredBlockHash(uint32_t height) = 0;
  // Processes one block atomically: either all of it is committed or none.
  virtual util::Status ProcessBlock(uint32_t height, const util::Hash256& hash, const std::vector<FilteredTx>& txs) = 0;
  // Work on a block that reads no state: the scanner calls it on its reading
  // thread, while earlier blocks are being processed, and hands the result to
  // ProcessPreparedBlock with the block. It must not touch anything that
  // processing changes. The default prepares nothing.
  virtual std::unique_ptr<PreparedBlock> PrepareBlock(uint32_t /*height*/,
                                                      const std::vector<FilteredTx>& /*txs*/) const {
    return nullptr;
  }
  // ProcessBlock with what PrepareBlock made of the same block (possibly nullptr).
  virtual util::Status ProcessPreparedBlock(uint32_t height, const util::Hash256& hash,
                                            const std::vector<FilteredTx>& txs,
                                            std::unique_ptr<PreparedBlock> /*prepared*/) {
    return ProcessBlock(height, hash, txs);
  }
  // Takes back the newest block.
  virtual util::Status UndoBlock(uint32_t height) = 0;
  // Told between blocks: true when the scanner is more than
  // ScanOptions::catch_up_blocks behind the tip, false once it has reached it.
  // An engine may leave out work that only serves queries meanwhile.
  virtual util::Status SetCatchingUp(bool /*catching_up*/) { return util::Ok(); }
  // Told between blocks, before each run of blocks: the scanner means to go on to
  // block `target` (the source's tip less the confirmations). An engine may leave
  // out what only serves taking back blocks that will by then be too deep to
  // take back. The target can move either way between calls.
  virtual util::Status SetTarget(uint32_t /*target*/) { return util::Ok(); }
};

// The Blockstack payload of a transaction: the last OP_RETURN output decides; it
// must be exactly OP_RETURN <push>, start with `magic`, be at least 3 bytes and
// carry a known opcode. Returns the bytes after the magic (opcode first).
std::optional<util::Bytes> BlockstackPayload(const bitcoin::Transaction& tx, std::string_view magic);

// The public key (hex) that signed for a p2pkh sender: the first input whose
// scriptSig is exactly <sig> <pubkey> with hash160(pubkey) equal to the sender's.
std::optional<std::string> FindSenderPubkey(const bitcoin::Transaction& tx, const Sender& sender);

// Who signed one input, read from its scriptSig and witness: the public keys and
// how many of them must sign, and the scriptPubKey of the output it spends as
// those imply (p2pkh of the one key; p2sh of the multisig or segwit redeem
// script). Recognised: <sig> <pubkey>; OP_0 <sigs> <m-of-n redeem script>;
// p2sh-p2wpkh and p2sh-p2wsh (m-of-n) with their witnesses. nullopt for any
// other shape (a coinbase, native segwit, non-standard scripts).
struct InputSigners {
  std::vector<util::Bytes> keys;
  int num_required = 0;
  bool segwit = false;           // the keys came from the witness (p2sh-wrapped segwit)
  util::Bytes spent_script;      // the scriptPubKey the input must be spending
};
std::optional<InputSigners> SignersOf(const bitcoin::TxIn& input);

// The sender of one input, from the output it spends (§1.3).
Sender SenderOf(util::Bytes script_pubkey, int64_t value, bitcoin::Network network);

// Completes a filtered transaction whose senders are set, one per input: its fee
// and sender public key. Returns false when it is not an operation at all (no
// inputs, or a funder without a single address, §1.2).
bool CompleteFilteredTx(FilteredTx& f);

}  // namespace blockstack::virtualchain
