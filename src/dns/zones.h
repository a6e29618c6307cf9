// The DNS front end's view of the name database and the zone files: namespaces and
// names read from SQLite, each name compiled (answer.h) with its zone file from
// the store. It answers directly (the slow path, used while the in-memory table
// is behind the chain) and feeds the table (server.h).
//
// Thread safety: one Zones per thread (it owns a read-only database connection).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <atlas/zonefile_store.h>
#include <bns/db/name_db.h>
#include <bns/ops/op.h>
#include <dns/answer.h>

namespace blockstack::dns {

struct ZonesSettings {
  std::string db_path;
  bns::ops::Rules rules;
  uint32_t negative_ttl = 60;  // SOA minimum: how long NXDOMAIN may be cached
};

// A record compiled with its zone file from the store.
util::Result<CompiledName> CompileFromStore(atlas::ZonefileStore& zonefiles, const bns::NameRecord& rec);

class Zones : public AnswerSource {
 public:
  static util::Result<std::unique_ptr<Zones>> Open(const ZonesSettings& settings, atlas::ZonefileStore& zonefiles);

  // Namespaces read before another block was processed are read again.
  void SetHeight(uint32_t height);

  util::Result<const bns::NamespaceRecord*> Namespace(std::string_view id) override;
  util::Result<std::optional<NameView>> Name(std::string_view fqn) override;

 private:
  Zones(ZonesSettings settings, std::unique_ptr<bns::db::NameDb> db, atlas::ZonefileStore& zonefiles)
      : m_settings(std::move(settings)), m_db(std::move(db)), m_zonefiles(zonefiles) {}

  ZonesSettings m_settings;
  std::unique_ptr<bns::db::NameDb> m_db;
  atlas::ZonefileStore& m_zonefiles;
  uint32_t m_height = UINT32_MAX;
  std::map<std::string, std::optional<bns::NamespaceRecord>, std::less<>> m_namespaces;
  std::string m_encoded;  // the last name compiled by Name
};

}  // namespace blockstack::dns
