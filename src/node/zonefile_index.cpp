#include <node/zonefile_index.h>

namespace blockstack::node {

util::Result<std::unique_ptr<NameDbZonefileIndex>> NameDbZonefileIndex::Open(const std::string& path) {
  BS_TRY(auto db, bns::db::NameDb::Open(path, /*read_only=*/true));
  return std::unique_ptr<NameDbZonefileIndex>(new NameDbZonefileIndex(std::move(db)));
}

util::Result<std::vector<interfaces::ZonefileSlot>> NameDbZonefileIndex::SlotsFrom(uint32_t height) {
  std::lock_guard lock(m_mutex);
  return m_db->ZonefileSlotsFrom(height);
}

util::Result<uint64_t> NameDbZonefileIndex::SlotCountBelow(uint32_t height) {
  std::lock_guard lock(m_mutex);
  return m_db->ZonefileSlotCountBelow(height);
}

util::Result<std::optional<uint32_t>> NameDbZonefileIndex::LastBlock() {
  std::lock_guard lock(m_mutex);
  return m_db->LastBlock();
}

util::Result<std::optional<std::string>> NameDbZonefileIndex::ConsensusHashAt(uint32_t height) {
  std::lock_guard lock(m_mutex);
  m_db->ClearCaches();  // a reorg may have replaced the block
  return m_db->ConsensusHashAt(height);
}

util::Result<bool> NameDbZonefileIndex::IsAnnounced(std::string_view hash) {
  std::lock_guard lock(m_mutex);
  return m_db->IsValueHashKnown(hash);
}

}  // namespace blockstack::node
