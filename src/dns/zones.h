// What the DNS front end answers for a name, from the name database and the zone
// files: a live BNS name's zone file records, SOA and NS at namespace apexes,
// NXDOMAIN for unknown, expired and revoked names, REFUSED outside BNS. Answers are
// resource records in presentation format, turned into wire format by the server.
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

class Zones {
 public:
  static util::Result<std::unique_ptr<Zones>> Open(const ZonesSettings& settings, atlas::ZonefileStore& zonefiles);

  // qname: lower case, no trailing dot. height: the last block processed.
  ZoneAnswer Lookup(const std::string& qname, uint16_t qtype, uint32_t height);

 private:
  Zones(ZonesSettings settings, std::unique_ptr<bns::db::NameDb> db, atlas::ZonefileStore& zonefiles)
      : m_settings(std::move(settings)), m_db(std::move(db)), m_zonefiles(zonefiles) {}
  std::string Soa(const std::string& zone, uint32_t height) const;

  // Namespaces change only with blocks: kept per height.
  util::Result<std::optional<bns::NamespaceRecord>> Namespace(const std::string& id, uint32_t height);

  ZonesSettings m_settings;
  std::unique_ptr<bns::db::NameDb> m_db;
  uint32_t m_ns_height = UINT32_MAX;
  std::map<std::string, std::optional<bns::NamespaceRecord>> m_namespaces;
  atlas::ZonefileStore& m_zonefiles;
};

// The presentation form of one zone-file record owned by `owner` (absolute, with
// the trailing dot), relative names in its data read against `origin`.
std::string RecordText(const std::string& owner, uint32_t ttl, const std::string& type,
                       const std::vector<std::string>& fields);

}  // namespace blockstack::dns
