#include <bns/db/name_table.h>

#include <cstring>
#include <functional>

namespace blockstack::bns::db {

namespace {

uint64_t HashOf(std::string_view fqn) { return std::hash<std::string_view>{}(fqn) | 1; }  // never 0

}  // namespace

char* NameTable::Allocate(std::size_t n) {
  if (n > CHUNK / 4) {
    // A large entry gets a chunk of its own, kept before the current one so the
    // current one goes on filling.
    auto own = std::make_unique<char[]>(n);
    char* p = own.get();
    m_chunks.insert(m_chunks.empty() ? m_chunks.end() : m_chunks.end() - 1, std::move(own));
    return p;
  }
  if (m_chunk_used + n > CHUNK) {
    m_chunks.push_back(std::make_unique<char[]>(CHUNK));
    m_chunk_used = 0;
  }
  char* p = m_chunks.back().get() + m_chunk_used;
  m_chunk_used += n;
  return p;
}

std::size_t NameTable::SlotOf(std::string_view fqn, uint64_t hash) const {
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = m_slots[i];
    if (!s.entry || (s.hash == hash && EntryFqn(s.entry) == fqn)) return i;
  }
}

void NameTable::Grow() {
  std::vector<Slot> old = std::move(m_slots);
  m_slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  for (const Slot& s : old) {
    if (s.entry) m_slots[SlotOf(EntryFqn(s.entry), s.hash)] = s;
  }
}

void NameTable::Put(std::string_view entry) {
  if (entry.empty()) return;
  if ((m_count + 1) * 2 > m_slots.size()) Grow();
  const std::string_view fqn = EntryFqn(entry.data());
  const uint64_t hash = HashOf(fqn);
  char* p = Allocate(entry.size());
  std::memcpy(p, entry.data(), entry.size());
  m_bytes += entry.size();
  Slot& slot = m_slots[SlotOf(fqn, hash)];
  if (slot.entry) {
    m_garbage += m_size_of(slot.entry);
  } else {
    ++m_count;
  }
  slot = {p, hash};
}

std::string_view NameTable::Find(std::string_view fqn) const {
  if (m_slots.empty()) return {};
  const Slot& s = m_slots[SlotOf(fqn, HashOf(fqn))];
  if (!s.entry) return {};
  return {s.entry, m_size_of(s.entry)};
}

std::unique_ptr<NameTable> NameTable::Compacted() const {
  auto out = std::make_unique<NameTable>(m_size_of);
  for (const Slot& s : m_slots) {
    if (s.entry) out->Put(std::string_view(s.entry, m_size_of(s.entry)));
  }
  return out;
}

}  // namespace blockstack::bns::db
