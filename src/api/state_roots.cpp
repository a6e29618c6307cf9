#include <api/state_roots.h>

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

#include <bns/records.h>
#include <virtualchain/canonical.h>

namespace blockstack::api {

namespace {

constexpr uint32_t BUILD_PAGE = 10000;

}  // namespace

proofs::Hash256 StateValueOf(const bns::NameRecord& record, uint64_t operations) {
  // The record's fields serialised as a registration's start: the same text
  // proofs::RecordOfOp reads out of an operation (it cannot fail on 16 fields).
  const std::string text = virtualchain::SerializeOp(':', bns::NameRecordValues(record));
  auto rec = proofs::RecordOfOp(text);
  return rec ? proofs::StateValue(rec->text, operations) : proofs::Hash256{};
}

util::Result<std::unique_ptr<StateRoots>> StateRoots::Open(std::unique_ptr<bns::db::NameDb> db) {
  std::unique_ptr<StateRoots> roots(new StateRoots(std::move(db)));
  BS_CHECK_OK(roots->Rebuild());
  return roots;
}

util::Status StateRoots::Rebuild() {
  const auto start = std::chrono::steady_clock::now();
  proofs::StateTree tree;
  m_db->ClearCaches();
  bns::db::ReadScope read(*m_db);
  BS_CHECK_OK(read.Begin());
  BS_TRY(auto last, m_db->LastBlock());
  // Each name's operation count, by key, then each record.
  std::vector<std::pair<proofs::Hash256, uint32_t>> counts;
  BS_CHECK_OK(m_db->ForEachNameOperationCount(
      [&counts](std::string_view name, uint32_t n) { counts.emplace_back(proofs::StateKey(name), n); }));
  std::sort(counts.begin(), counts.end());
  std::string after;
  for (;;) {
    BS_TRY(auto page, m_db->NamesAfter(after, BUILD_PAGE));
    for (const auto& r : page) {
      const auto key = proofs::StateKey(r.name);
      auto it = std::lower_bound(counts.begin(), counts.end(), std::make_pair(key, uint32_t{0}));
      const uint32_t n = it != counts.end() && it->first == key ? it->second : 0;
      tree.Set(key, StateValueOf(r, n), n);
    }
    if (page.size() < BUILD_PAGE) break;
    after = page.back().name;
  }
  tree.Commit();
  std::string ch;
  if (last) {
    BS_TRY(auto snap, m_db->SnapshotAt(*last));
    if (snap) ch = snap->consensus_hash;
  }
  read.End();
  std::unique_lock lock(m_mutex);
  m_tree = std::move(tree);
  m_roots.clear();
  m_broken = false;
  m_pending = false;
  if (last) Keep(*last, ch);
  spdlog::info("name-state tree: {} names, root {} ({:.2f} s)", m_tree.Size(), m_tree.Root().Hex(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return util::Ok();
}

void StateRoots::Keep(uint32_t height, std::string consensus_hash) {
  m_roots[height] = proofs::RootAnswer{height, std::move(consensus_hash), m_tree.Root()};
  while (m_roots.size() > KEPT_ROOTS) m_roots.erase(m_roots.begin());
}

void StateRoots::OnBlockCommitted(const interfaces::BlockCommitted& block) {
  if (block.reorganised || m_broken) {
    if (auto st = Rebuild(); !st) {
      std::unique_lock lock(m_mutex);
      m_broken = true;
      spdlog::error("name-state tree: rebuild failed, proofs are off until it works: {}", st.error().message);
    }
    return;
  }
  std::unique_lock lock(m_mutex);
  for (const auto& op : block.ops) {
    if (!op.accepted || op.serialized.empty() || !proofs::IsNameOpcode(op.serialized[0])) continue;
    auto rec = proofs::RecordOfOp(op.serialized);
    if (!rec) {
      spdlog::error("name-state tree: block {} operation {} does not read back", block.height, op.txid);
      continue;
    }
    const auto key = proofs::StateKey(rec->name);
    const uint32_t n = m_tree.Tag(key).value_or(0) + 1;
    m_tree.Set(key, proofs::StateValue(rec->text, n), n);
  }
  const uint32_t tip = m_chain_tip.load(std::memory_order_relaxed);
  if (uint64_t{block.height} + KEPT_ROOTS < tip) {
    m_pending = true;
    return;
  }
  m_tree.Commit();
  m_pending = false;
  // The consensus hash of blocks committed is always given by the engine; tests
  // that index by hand give none.
  Keep(block.height, block.consensus_hash);
}

std::optional<proofs::RootAnswer> StateRoots::Root(std::optional<uint32_t> height) const {
  std::shared_lock lock(m_mutex);
  if (m_broken || m_pending || m_roots.empty()) return std::nullopt;
  if (!height) return m_roots.rbegin()->second;
  auto it = m_roots.find(*height);
  if (it == m_roots.end()) return std::nullopt;
  return it->second;
}

std::optional<proofs::StateAnswer> StateRoots::Prove(const std::string& name) const {
  std::shared_lock lock(m_mutex);
  if (m_broken || m_pending || m_roots.empty()) return std::nullopt;
  const auto& newest = m_roots.rbegin()->second;
  return proofs::StateAnswer{name, newest.height, newest.consensus_hash, newest.root,
                             m_tree.Prove(proofs::StateKey(name))};
}

std::size_t StateRoots::MemoryBytes() const {
  std::shared_lock lock(m_mutex);
  return m_tree.MemoryBytes() + m_roots.size() * sizeof(proofs::RootAnswer);
}

}  // namespace blockstack::api
