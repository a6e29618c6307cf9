// The BNS state engine: runs each block's operations through the rules and
// commits the result to the name database (spec bns.md §1.4).
#pragma once

#include <functional>
#include <map>
#include <string>

#include <bns/db/name_db.h>
#include <bns/ops/ops.h>
#include <interfaces/events.h>
#include <virtualchain/filter.h>

namespace blockstack::bns::db {

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
  // Takes back the newest block; the next block committed says so.
  util::Status UndoBlock(uint32_t height) override;
  util::Status SetCatchingUp(bool catching_up) override { return m_db.SetCatchingUp(catching_up); }
  util::Status SetTarget(uint32_t target) override { return m_db.KeepUndoFor(target); }

  const ops::Rules& Rules() const { return m_rules; }
  // Called on the indexing thread after each block is committed (its
  // transaction durable), with its consensus hash and its operations' outcomes.
  // Set before indexing.
  using CommitFn = std::function<void(const interfaces::BlockCommitted&)>;
  void SetOnCommitted(CommitFn fn) { m_on_committed = std::move(fn); }

 private:
  class Parsed;
  util::Status ProcessBlockInTransaction(uint32_t height, const util::Hash256& hash,
                                         const std::vector<virtualchain::FilteredTx>& txs, Parsed& parsed);
  ops::OpTx MakeOpTx(uint32_t height, const virtualchain::FilteredTx& f) const;

  db::NameDb& m_db;
  ops::Rules m_rules;
  ops::KeyringMemo m_keyrings;  // NAME_IMPORT keyrings, across blocks
  CommitFn m_on_committed;
  interfaces::BlockCommitted m_committed;  // the block being processed, told once committed
  bool m_reorganised = false;              // blocks were taken back since the last commit
};

}  // namespace blockstack::bns::db
