// The virtualchain scanner: reads blocks from a BlockSource, keeps the
// transactions that carry Blockstack operations (spec bns.md §1.2), finds their
// senders (§1.3), and hands each block to a StateEngine in height order. It
// detects reorganisations by parent hash and has the engine undo blocks back to
// the fork point (issue: reorgs).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <bitcoin/block_source.h>
#include <bitcoin/network.h>
#include <bitcoin/script.h>
#include <util/lru_cache.h>

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
  util::Bytes payload;  // after magic and opcode
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

struct ScanOptions {
  std::string magic = "id";
  uint32_t first_block = 0;
  uint32_t confirmations = 6;
  bitcoin::Network network = bitcoin::Network::Mainnet;
  uint32_t batch_blocks = 10;
  // Blocks fetched and filtered ahead of the engine, on a thread of their own
  // (at least 1).
  uint32_t prefetch_blocks = 16;
  // Blocks behind the tip from which the engine is told it is catching up.
  uint32_t catch_up_blocks = 1000;
};

struct ScanProgress {
  uint32_t height = 0;       // last block processed
  uint32_t target = 0;       // the height being caught up to
  uint64_t blocks = 0;       // processed in this run
  uint64_t ops = 0;          // filtered transactions in this run
  double seconds = 0;        // since the run started
};

// The Blockstack payload of a transaction: the last OP_RETURN output decides; it
// must be exactly OP_RETURN <push>, start with `magic`, be at least 3 bytes and
// carry a known opcode. Returns the bytes after the magic (opcode first).
std::optional<util::Bytes> BlockstackPayload(const bitcoin::Transaction& tx, std::string_view magic);

// The public key (hex) that signed for a p2pkh sender: the first input whose
// scriptSig is exactly <sig> <pubkey> with hash160(pubkey) equal to the sender's.
std::optional<std::string> FindSenderPubkey(const bitcoin::Transaction& tx, const Sender& sender);

// The sender of one input, from the output it spends (§1.3).
Sender SenderOf(util::Bytes script_pubkey, int64_t value, bitcoin::Network network);

// Completes a filtered transaction whose senders are set, one per input: its fee
// and sender public key. Returns false when it is not an operation at all (no
// inputs, or a funder without a single address, §1.2).
bool CompleteFilteredTx(FilteredTx& f);

class Scanner {
 public:
  using ProgressFn = std::function<void(const ScanProgress&)>;

  Scanner(bitcoin::BlockSource& source, StateEngine& engine, ScanOptions options)
      : m_source(source), m_engine(engine), m_options(std::move(options)) {}

  // Processes blocks up to tip - confirmations, or until `stop` is set. Returns the
  // last processed block (nullopt when none yet). Undoes blocks that left the best
  // chain first.
  util::Result<std::optional<uint32_t>> CatchUp(const std::atomic<bool>& stop, const ProgressFn& progress = {});

  // Filters a block and looks up the senders of what it keeps.
  util::Result<std::vector<FilteredTx>> Filter(const bitcoin::Block& block);

 private:
  // Undoes stored blocks the source no longer has on its best chain.
  util::Status Reconcile();

  class Prefetch;

  bitcoin::BlockSource& m_source;
  StateEngine& m_engine;
  ScanOptions m_options;
  // Outputs of recently seen funding transactions. A wallet that pays for many
  // operations from one transaction's outputs gets that transaction fetched (an
  // RPC call, or a parse and a hash) once. A txid fixes its outputs, so an entry
  // never goes stale, across reorganisations too.
  using Outputs = std::shared_ptr<const std::vector<bitcoin::TxOut>>;
  util::LruCache<util::Hash256, Outputs> m_funders{1024};
};

}  // namespace blockstack::virtualchain
