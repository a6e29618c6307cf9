#include <dns/zones.h>

#include <fmt/core.h>

#include <bns/lifecycle.h>
#include <bns/names.h>
#include <dns/query.h>
#include <zonefile/zonefile.h>

namespace blockstack::dns {
namespace {

constexpr uint32_t DEFAULT_TTL = 3600;

// A character string in presentation format: quoted, with " and \ escaped and
// bytes outside printable ASCII as \DDD.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c > 0x7e) {
      out += fmt::format("\\{:03d}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

uint16_t TypeCode(const std::string& type) {
  static const std::pair<const char*, uint16_t> table[] = {
      {"A", TYPE_A},     {"NS", TYPE_NS},   {"CNAME", TYPE_CNAME}, {"SOA", TYPE_SOA}, {"PTR", TYPE_PTR},
      {"MX", TYPE_MX},   {"TXT", TYPE_TXT}, {"AAAA", TYPE_AAAA},   {"SRV", TYPE_SRV}, {"SPF", TYPE_SPF},
      {"URI", TYPE_URI},
  };
  for (const auto& [name, code] : table) {
    if (type == name) return code;
  }
  return 0;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The absolute owner (lower case, no trailing dot) of a record written as `name`
// in the zone of `zone`; "" when it lies outside that zone.
std::string AbsoluteOwner(const std::string& name, const std::string& zone) {
  if (name == "@") return zone;
  std::string n = Lower(name);
  if (n.ends_with('.')) {
    n.pop_back();
    if (n == zone || n.ends_with("." + zone)) return n;
    return "";
  }
  return n + "." + zone;
}

}  // namespace

std::string RecordText(const std::string& owner, uint32_t ttl, const std::string& type,
                       const std::vector<std::string>& fields) {
  std::string rdata;
  if (type == "TXT" || type == "SPF") {
    for (const auto& f : fields) rdata += (rdata.empty() ? "" : " ") + Quoted(f);
  } else if (type == "URI" && fields.size() == 3) {
    rdata = fields[0] + " " + fields[1] + " " + Quoted(fields[2]);
  } else {
    for (const auto& f : fields) rdata += (rdata.empty() ? "" : " ") + f;
  }
  return fmt::format("{} {} IN {} {}", owner, ttl, type, rdata);
}

util::Result<std::unique_ptr<Zones>> Zones::Open(const ZonesSettings& settings, atlas::ZonefileStore& zonefiles) {
  BS_TRY(auto db, bns::db::NameDb::Open(settings.db_path, true));
  return std::unique_ptr<Zones>(new Zones(settings, std::move(db), zonefiles));
}

util::Result<std::optional<bns::NamespaceRecord>> Zones::Namespace(const std::string& id, uint32_t height) {
  if (height != m_ns_height) {
    m_namespaces.clear();
    m_ns_height = height;
  }
  auto it = m_namespaces.find(id);
  if (it != m_namespaces.end()) return it->second;
  BS_TRY(auto ns, m_db->GetNamespace(id));
  if (m_namespaces.size() > 10000) m_namespaces.clear();
  m_namespaces.emplace(id, ns);
  return ns;
}

std::string Zones::Soa(const std::string& zone, uint32_t height) const {
  std::string ns = zone.substr(zone.rfind('.') == std::string::npos ? 0 : zone.rfind('.') + 1);
  return fmt::format("{}. {} IN SOA ns.{}. hostmaster.{}. {} 3600 600 86400 {}", zone, m_settings.negative_ttl, ns, ns,
                     height, m_settings.negative_ttl);
}

ZoneAnswer Zones::Lookup(const std::string& qname, uint16_t qtype, uint32_t height) {
  ZoneAnswer a;
  auto refuse = [&] {
    a.rcode = RCODE_REFUSED;
    a.authoritative = false;
    return a;
  };
  auto servfail = [&] {
    a.rcode = RCODE_SERVFAIL;
    a.authoritative = false;
    return a;
  };
  if (qname.empty()) return refuse();
  const auto last_dot = qname.rfind('.');
  const std::string ns_id = last_dot == std::string::npos ? qname : qname.substr(last_dot + 1);
  if (!bns::IsNamespaceIdValid(ns_id)) return refuse();
  auto ns = Namespace(ns_id, height);
  if (!ns) return servfail();
  if (!*ns || (!(*ns)->IsReady() && bns::IsRevealExpired(**ns, height, m_settings.rules.namespace_reveal_expire))) {
    return refuse();
  }
  const std::string apex_soa = Soa(ns_id, height);
  a.origin = ns_id + ".";
  if (last_dot == std::string::npos) {
    // The namespace apex.
    if (qtype == TYPE_SOA || qtype == TYPE_ANY) a.answer.push_back(apex_soa);
    if (qtype == TYPE_NS || qtype == TYPE_ANY) {
      a.answer.push_back(fmt::format("{}. {} IN NS ns.{}.", ns_id, DEFAULT_TTL, ns_id));
    }
    if (a.answer.empty()) a.authority.push_back(apex_soa);
    return a;
  }
  // name.namespace, and what lies below it.
  const auto second_dot = qname.rfind('.', last_dot - 1);
  const std::string fqn = second_dot == std::string::npos ? qname : qname.substr(second_dot + 1);
  auto nxdomain = [&] {
    a.rcode = RCODE_NXDOMAIN;
    a.authority.push_back(apex_soa);
    return a;
  };
  if (!bns::IsNameValid(fqn)) return nxdomain();
  auto rec = m_db->GetName(fqn);
  if (!rec) return servfail();
  if (!*rec || (*rec)->revoked) return nxdomain();
  if (!bns::StatusAt(**rec, **ns, height, m_settings.rules.epochs, m_settings.rules.namespace_reveal_expire).live) {
    return nxdomain();
  }
  const std::string name_soa = Soa(fqn, height);
  a.origin = fqn + ".";
  if (!(*rec)->value_hash) {
    if (qname != fqn) return nxdomain();
    a.authority.push_back(name_soa);
    return a;
  }
  auto text = m_zonefiles.Get(*(*rec)->value_hash);
  if (!text) return servfail();
  if (!*text) return servfail();  // the zone file has not reached this node yet
  auto zf = zonefile::ParseZonefile(**text);
  if (!zf) return servfail();  // on chain, but not a zone file DNS can serve

  const uint32_t default_ttl = zf->ttl.value_or(DEFAULT_TTL);
  bool owner_exists = qname == fqn;
  bool has_soa = false;
  std::vector<std::string> cnames;
  for (const auto& r : zf->records) {
    const std::string owner = AbsoluteOwner(r.name, fqn);
    if (owner.empty()) continue;
    if (r.type == "SOA" && owner == fqn) has_soa = true;
    if (owner != qname) {
      if (owner.ends_with("." + qname)) owner_exists = true;  // an empty non-terminal
      continue;
    }
    owner_exists = true;
    const uint16_t code = TypeCode(r.type);
    std::string line = RecordText(qname + ".", r.ttl.value_or(default_ttl), r.type, r.fields);
    if (qtype == TYPE_ANY || code == qtype) a.answer.push_back(std::move(line));
    else if (code == TYPE_CNAME) cnames.push_back(std::move(line));
  }
  if (a.answer.empty() && !cnames.empty()) a.answer = std::move(cnames);
  if (!has_soa && qname == fqn && qtype == TYPE_SOA) a.answer.push_back(name_soa);
  if (!owner_exists) return nxdomain();
  if (a.answer.empty()) a.authority.push_back(name_soa);
  return a;
}

}  // namespace blockstack::dns
