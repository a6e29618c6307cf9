// The name database as Atlas sees it: the ZonefileIndex over its own read-only
// connection, so the Atlas threads never touch the indexer's.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <bns/db/name_db.h>
#include <interfaces/zonefile_index.h>

namespace blockstack::node {

class NameDbZonefileIndex : public interfaces::ZonefileIndex {
 public:
  // Opens path read-only. Fails when it cannot be opened.
  static util::Result<std::unique_ptr<NameDbZonefileIndex>> Open(const std::string& path);

  util::Result<std::vector<interfaces::ZonefileSlot>> SlotsFrom(uint32_t height) override;
  util::Result<uint64_t> SlotCountBelow(uint32_t height) override;
  util::Result<std::optional<uint32_t>> LastBlock() override;
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) override;
  // Whether some name announced this zone-file hash on chain.
  util::Result<bool> IsAnnounced(std::string_view hash);

 private:
  explicit NameDbZonefileIndex(std::unique_ptr<bns::db::NameDb> db) : m_db(std::move(db)) {}
  std::mutex m_mutex;  // one statement at a time on m_db
  std::unique_ptr<bns::db::NameDb> m_db;
};

}  // namespace blockstack::node
