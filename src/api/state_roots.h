// The node's name-state tree (proofs/state_tree.h), kept current with the name
// database: built from every name's record and operation count at start (the
// count is kept as the tree entry's tag), brought forward by each
// committed block's name operations, and built again after a reorganisation. The
// roots of the newest KEPT_ROOTS blocks committed since start are kept, so peers
// asked about a recent block can answer (doc/proofs.md). A block more than
// KEPT_ROOTS below the chain's tip (a node catching up) has its changes applied
// but no root computed: it would never be kept; meanwhile no proof is served.
//
// Thread safety: OnBlockCommitted is called on the indexing thread; the readers
// from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include <bns/db/name_db.h>
#include <interfaces/events.h>
#include <proofs/bundle.h>
#include <proofs/state_tree.h>

namespace blockstack::api {

// The state-tree value of a stored record after `operations` name operations on
// it (proofs::StateValue of the text the operation that left it serialised).
proofs::Hash256 StateValueOf(const bns::NameRecord& record, uint64_t operations);

class StateRoots {
 public:
  static constexpr std::size_t KEPT_ROOTS = 2016;

  // Builds the tree from the database at its last block (db: a read-only
  // connection kept for rebuilds).
  static util::Result<std::unique_ptr<StateRoots>> Open(std::unique_ptr<bns::db::NameDb> db);

  void OnBlockCommitted(const interfaces::BlockCommitted& block);
  // The Bitcoin chain's tip, as the scanner last saw it.
  void OnChainTip(uint32_t height) { m_chain_tip.store(height, std::memory_order_relaxed); }
  // The root at a height (nullopt: not kept), the newest when none is given.
  std::optional<proofs::RootAnswer> Root(std::optional<uint32_t> height) const;
  // The name's proof against the newest root.
  std::optional<proofs::StateAnswer> Prove(const std::string& name) const;
  std::size_t MemoryBytes() const;

 private:
  explicit StateRoots(std::unique_ptr<bns::db::NameDb> db) : m_db(std::move(db)) {}
  util::Status Rebuild();
  void Keep(uint32_t height, std::string consensus_hash);

  std::unique_ptr<bns::db::NameDb> m_db;
  mutable std::shared_mutex m_mutex;
  proofs::StateTree m_tree;
  std::map<uint32_t, proofs::RootAnswer> m_roots;
  bool m_broken = false;   // a rebuild failed: no answers until the next one works
  bool m_pending = false;  // changes applied without a root (catching up): no answers
  std::atomic<uint32_t> m_chain_tip{0};
};

}  // namespace blockstack::api
