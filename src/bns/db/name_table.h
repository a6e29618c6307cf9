// Per-name entries held in memory, so that a reader touches neither SQLite nor a
// decoder: each entry is a byte string that begins with its fqn (one length byte,
// then the fqn) and whose size the owner's `size_of` reads from its bytes. Entries
// live in large chunks, found through an open-addressing hash index on the fqn. The
// DNS front end keeps every name compiled for answering here (155 MB for a million
// names with two records each), the REST API every name's answer fields.
//
// Thread safety: none of its own (NameMirror guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace blockstack::bns::db {

class NameTable {
 public:
  // The size in bytes of the entry starting at `entry`.
  using SizeOf = std::size_t (*)(const char* entry);

  explicit NameTable(SizeOf size_of) : m_size_of(size_of) {}
  NameTable(const NameTable&) = delete;
  NameTable& operator=(const NameTable&) = delete;

  // The fqn an entry begins with.
  static std::string_view EntryFqn(const char* entry) { return {entry + 1, static_cast<uint8_t>(entry[0])}; }
  // Appends the fqn header of an entry to out (fqns are at most 255 bytes; a longer
  // one is cut, which no valid name is).
  static void PutFqn(std::string& out, std::string_view fqn) {
    fqn = fqn.substr(0, fqn.size() < 255 ? fqn.size() : 255);
    out.push_back(static_cast<char>(fqn.size()));
    out.append(fqn);
  }

  // Adds an entry, replacing the one with the same fqn.
  void Put(std::string_view entry);
  // The entry, or empty when the table does not hold it.
  std::string_view Find(std::string_view fqn) const;

  std::size_t Size() const { return m_count; }
  // Bytes of entries, and how many of them were replaced since.
  std::size_t LiveBytes() const { return m_bytes - m_garbage; }
  std::size_t GarbageBytes() const { return m_garbage; }
  std::size_t MemoryBytes() const { return m_chunks.size() * CHUNK + m_slots.size() * sizeof(Slot); }
  // A copy holding only the current entries, so replaced ones stop taking memory.
  std::unique_ptr<NameTable> Compacted() const;

 private:
  static constexpr std::size_t CHUNK = 1 << 20;
  struct Slot {
    const char* entry = nullptr;
    uint64_t hash = 0;
  };
  char* Allocate(std::size_t n);
  void Grow();
  std::size_t SlotOf(std::string_view fqn, uint64_t hash) const;

  SizeOf m_size_of;
  std::vector<Slot> m_slots;
  std::size_t m_count = 0;
  std::vector<std::unique_ptr<char[]>> m_chunks;
  std::size_t m_chunk_used = CHUNK;
  std::size_t m_bytes = 0;
  std::size_t m_garbage = 0;
};

}  // namespace blockstack::bns::db
