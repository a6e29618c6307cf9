#include <bns/db/name_mirror.h>

#include <chrono>

#include <spdlog/spdlog.h>

namespace blockstack::bns::db {

namespace {

constexpr uint32_t PAGE = 5000;

NamespaceMap ToMap(std::vector<NamespaceRecord> namespaces) {
  NamespaceMap out;
  for (auto& ns : namespaces) {
    std::string id = ns.namespace_id;
    out.emplace(std::move(id), std::move(ns));
  }
  return out;
}

}  // namespace

NameMirror::NameMirror(std::string label, std::unique_ptr<NameDb> db, Encoder& encoder, NameTable::SizeOf size_of)
    : m_label(std::move(label)), m_db(std::move(db)), m_encoder(encoder), m_size_of(size_of) {
  m_thread = std::thread([this] { Loop(); });
}

NameMirror::~NameMirror() { Stop(); }

void NameMirror::Changed() {
  ++m_generation;
  m_wake.notify_one();
}

void NameMirror::Stop() {
  if (m_stopped.exchange(true)) return;
  {
    std::lock_guard lock(m_wake_mutex);  // a thread between its check and its wait sees the flag
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

NameMirrorStats NameMirror::Stats() const {
  NameMirrorStats s;
  s.current = Current();
  std::shared_lock lock(m_mutex);
  if (m_table) {
    s.names = m_table->Size();
    s.memory_bytes = m_table->MemoryBytes();
  }
  s.height = m_height;
  return s;
}

util::Status NameMirror::Build() {
  const auto started = std::chrono::steady_clock::now();
  const uint64_t generation = m_generation.load();
  m_encoder.OnRebuild();
  auto table = std::make_unique<NameTable>(m_size_of);
  NameDb& db = *m_db;
  ReadScope read(db);
  db.ClearCaches();  // the indexer writes on another connection
  BS_CHECK_OK(read.Begin());
  BS_TRY(auto last, db.LastBlock());
  std::string after;
  for (;;) {
    if (m_stopped) return util::Fail(util::ErrorCode::Unavailable, "stopped");
    BS_TRY(auto page, db.NamesAfter(after, PAGE));
    for (const auto& rec : page) {
      BS_TRY(auto entry, m_encoder.Encode(rec));
      table->Put(entry);
    }
    if (page.size() < PAGE) break;
    after = page.back().name;
  }
  BS_TRY(auto namespaces, db.AllNamespaces());
  std::string consensus;
  if (last) {
    BS_TRY(auto snap, db.SnapshotAt(*last));
    if (snap) consensus = snap->consensus_hash;
  }
  read.End();
  const std::size_t names = table->Size(), memory = table->MemoryBytes();
  {
    std::unique_lock lock(m_mutex);
    m_table = std::move(table);
    m_namespaces = ToMap(std::move(namespaces));
    m_height = last.value_or(0);
    m_table_generation = generation;
    m_ready.store(true, std::memory_order_release);
  }
  m_consensus = consensus;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{}: {} names compiled in memory in {:.1f} s ({:.1f} MB) at block {}", m_label, names, secs,
               static_cast<double>(memory) / 1e6, last.value_or(0));
  return util::Ok();
}

util::Status NameMirror::Update() {
  const uint64_t generation = m_generation.load();
  NameDb& db = *m_db;
  std::vector<std::string> puts;
  uint32_t last = 0;
  std::string consensus;
  std::vector<NamespaceRecord> namespaces;
  {
    ReadScope read(db);
    db.ClearCaches();  // the indexer writes on another connection
    BS_CHECK_OK(read.Begin());
    BS_TRY(auto last_block, db.LastBlock());
    const bool have_last = last_block.has_value();
    last = last_block.value_or(0);
    const uint32_t from = m_height;
    bool reorg = have_last && last < from;
    if (have_last && !reorg) {
      BS_TRY(auto at_table, db.SnapshotAt(from));
      reorg = (at_table ? at_table->consensus_hash : "") != m_consensus;
    }
    if (!have_last && !m_consensus.empty()) reorg = true;  // every block is gone
    if (reorg) {
      spdlog::info("{}: the chain changed below block {}: compiling every name again", m_label, from);
      read.End();  // the rebuild opens its own read transaction
      return Build();
    }
    auto encode = [&](std::string_view fqn) -> util::Status {
      BS_TRY(auto rec, db.GetName(fqn));
      if (!rec) return util::Ok();  // a namespace or a preorder
      BS_TRY(auto entry, m_encoder.Encode(*rec));
      puts.push_back(std::move(entry));
      return util::Ok();
    };
    if (have_last && last > from) {
      BS_TRY(auto ids, db.HistoryIdsWrittenBetween(from, last));
      for (const auto& id : ids) BS_CHECK_OK(encode(id));
    }
    BS_TRY(auto stale, m_encoder.Stale(db));
    for (const auto& fqn : stale) BS_CHECK_OK(encode(fqn));
    BS_TRY(namespaces, db.AllNamespaces());
    if (have_last) {
      BS_TRY(auto snap, db.SnapshotAt(last));
      if (snap) consensus = snap->consensus_hash;
    }
  }
  {
    std::unique_lock lock(m_mutex);
    for (const auto& entry : puts) m_table->Put(entry);
    m_namespaces = ToMap(std::move(namespaces));
    m_height = last;
    m_table_generation = generation;
  }
  m_consensus = consensus;
  m_encoder.StaleApplied();
  if (m_table->GarbageBytes() > std::max<std::size_t>(m_table->LiveBytes(), 16 << 20)) {
    // Replaced entries take as much room as the live ones: copy the live ones out.
    auto compacted = m_table->Compacted();
    std::unique_lock lock(m_mutex);
    m_table = std::move(compacted);
  }
  return util::Ok();
}

void NameMirror::Loop() {
  bool failed = false;
  while (!m_stopped) {
    {
      std::unique_lock lock(m_wake_mutex);
      auto wanted = [&] { return m_stopped || (!failed && !Current()); };
      m_wake.wait_for(lock, std::chrono::seconds(1), wanted);
      if (m_stopped) return;
      if (Current()) {
        failed = false;
        continue;
      }
    }
    auto st = m_ready ? Update() : Build();
    failed = !st;
    if (!st && !m_stopped) {
      spdlog::warn("{}: the in-memory table could not be updated (retrying): {}", m_label, st.error().message);
    }
  }
}

}  // namespace blockstack::bns::db
