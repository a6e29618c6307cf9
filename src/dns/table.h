// Every name compiled for answering (answer.h), held in memory so that a query
// reads neither SQLite nor ldns: the encoded names live in large chunks, found
// through an open-addressing hash index on the fqn. A million names with an A and
// a URI record each take 155 MB.
//
// Thread safety: none of its own. The DNS server reads it under a shared lock and
// its one updater thread changes it under the exclusive lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace blockstack::dns {

class NameTable {
 public:
  NameTable() = default;
  NameTable(const NameTable&) = delete;
  NameTable& operator=(const NameTable&) = delete;

  // Adds an encoded name (EncodeName), replacing the one with the same fqn.
  void Put(std::string_view encoded);
  // The encoded name, or empty when the table does not hold it.
  std::string_view Find(std::string_view fqn) const;

  std::size_t Size() const { return m_count; }
  // Bytes of encoded names, and how many of them were replaced since.
  std::size_t LiveBytes() const { return m_bytes - m_garbage; }
  std::size_t GarbageBytes() const { return m_garbage; }
  std::size_t MemoryBytes() const { return m_chunks.size() * CHUNK + m_slots.size() * sizeof(Slot); }
  // A copy holding only the current names, so replaced ones stop taking memory.
  std::unique_ptr<NameTable> Compacted() const;

 private:
  static constexpr std::size_t CHUNK = 1 << 20;
  struct Slot {
    const char* encoded = nullptr;
    uint64_t hash = 0;
  };
  char* Allocate(std::size_t n);
  void Grow();
  std::size_t SlotOf(std::string_view fqn, uint64_t hash) const;

  std::vector<Slot> m_slots;
  std::size_t m_count = 0;
  std::vector<std::unique_ptr<char[]>> m_chunks;
  std::size_t m_chunk_used = CHUNK;
  std::size_t m_bytes = 0;
  std::size_t m_garbage = 0;
};

}  // namespace blockstack::dns
