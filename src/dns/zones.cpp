#include <dns/zones.h>

namespace blockstack::dns {

util::Result<std::unique_ptr<Zones>> Zones::Open(const ZonesSettings& settings, atlas::ZonefileStore& zonefiles) {
  BS_TRY(auto db, bns::db::NameDb::Open(settings.db_path, true));
  return std::unique_ptr<Zones>(new Zones(settings, std::move(db), zonefiles));
}

void Zones::SetHeight(uint32_t height) {
  if (height == m_height) return;
  m_height = height;
  m_namespaces.clear();
  m_db->ClearCaches();  // the indexer writes on another connection
}

util::Result<const bns::NamespaceRecord*> Zones::Namespace(std::string_view id) {
  auto it = m_namespaces.find(id);
  if (it == m_namespaces.end()) {
    BS_TRY(auto ns, m_db->GetNamespace(id));
    if (m_namespaces.size() > 10000) m_namespaces.clear();  // queries for made-up namespaces
    it = m_namespaces.emplace(std::string(id), std::move(ns)).first;
  }
  return it->second ? &*it->second : nullptr;
}

util::Result<CompiledName> CompileFromStore(atlas::ZonefileStore& zonefiles, const bns::NameRecord& rec) {
  std::optional<std::string> text;
  if (rec.value_hash && !rec.revoked) {
    BS_TRY(text, zonefiles.Get(*rec.value_hash));
  }
  return CompileName(rec, text);
}

util::Result<std::optional<NameView>> Zones::Name(std::string_view fqn) {
  BS_TRY(auto rec, m_db->GetName(fqn));
  if (!rec) return std::optional<NameView>{};
  BS_TRY(auto compiled, CompileFromStore(m_zonefiles, *rec));
  m_encoded = EncodeName(compiled);
  return std::optional<NameView>(ViewName(m_encoded.data()));
}

}  // namespace blockstack::dns
