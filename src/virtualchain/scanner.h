// The virtualchain scanner: reads blocks from a BlockSource, keeps the
// transactions that carry Blockstack operations (spec bns.md §1.2, by the rules
// in filter.h), finds their senders (§1.3), and hands each block to a
// StateEngine in height order. It runs a prefetch thread and logs: its own
// target (bs_virtualchain_scanner), apart from the pure consensus code. It
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
#include <util/lru_cache.h>
#include <virtualchain/filter.h>

namespace blockstack::virtualchain {

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
