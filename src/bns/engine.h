// The BNS state engine: runs each block's operations through the rules and
// commits the result to the name database (spec bns.md §1.4).
#pragma once

#include <array>
#include <mutex>
#include <atomic>
#include <map>
#include <string>

#include <bns/db/name_db.h>
#include <bns/ops/ops.h>
#include <virtualchain/scanner.h>

namespace blockstack::bns {

// Counters for metrics; updated by the indexing thread, read by any.
struct EngineStats {
  std::atomic<uint64_t> blocks{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> rejected{0};
  std::mutex mutex;
  std::map<std::string, uint64_t> accepted_by_op;  // guarded by mutex
  std::map<std::string, uint64_t> rejected_by_op;  // guarded by mutex
};

class Engine final : public virtualchain::StateEngine {
 public:
  Engine(db::NameDb& db, ops::Rules rules) : m_db(db), m_rules(std::move(rules)) {}

  util::Result<std::optional<uint32_t>> LastBlock() override { return m_db.LastBlock(); }
  util::Result<std::optional<util::Hash256>> StoredBlockHash(uint32_t height) override;
  util::Status ProcessBlock(uint32_t height, const util::Hash256& hash,
                            const std::vector<virtualchain::FilteredTx>& txs) override;
  // Parses the block's operations (rules only, no state).
  std::unique_ptr<virtualchain::PreparedBlock> PrepareBlock(
      uint32_t height, const std::vector<virtualchain::FilteredTx>& txs) const override;
  util::Status ProcessPreparedBlock(uint32_t height, const util::Hash256& hash,
                                    const std::vector<virtualchain::FilteredTx>& txs,
                                    std::unique_ptr<virtualchain::PreparedBlock> prepared) override;
  util::Status UndoBlock(uint32_t height) override { return m_db.UndoBlock(height); }
  util::Status SetCatchingUp(bool catching_up) override { return m_db.SetCatchingUp(catching_up); }
  util::Status SetTarget(uint32_t target) override { return m_db.KeepUndoFor(target); }

  const ops::Rules& Rules() const { return m_rules; }
  EngineStats& Stats() { return m_stats; }

 private:
  class Parsed;
  util::Status ProcessBlockInTransaction(uint32_t height, const util::Hash256& hash,
                                         const std::vector<virtualchain::FilteredTx>& txs, Parsed& parsed);
  ops::OpTx MakeOpTx(uint32_t height, const virtualchain::FilteredTx& f) const;

  db::NameDb& m_db;
  ops::Rules m_rules;
  EngineStats m_stats;
};

}  // namespace blockstack::bns
