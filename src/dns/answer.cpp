#include <dns/answer.h>

#include <fmt/core.h>

#include <bns/db/name_table.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <zonefile/zonefile.h>

// Last: ldns's C headers define macros that upset C++ headers included after them.
#include <ldns/ldns.h>

namespace blockstack::dns {

namespace {

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

void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
void PutU32(std::string& out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v >> 16));
  PutU16(out, static_cast<uint16_t>(v & 0xffff));
}
uint16_t GetU16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) << 8 | static_cast<uint8_t>(p[1]));
}
uint32_t GetU32(const char* p) { return uint32_t{GetU16(p)} << 16 | GetU16(p + 2); }

// The record's wire form without its owner, or "" when ldns cannot read it.
std::string RecordWire(const std::string& text, ldns_rdf* origin) {
  ldns_rr* rr = nullptr;
  if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, origin, nullptr) != LDNS_STATUS_OK || !rr) return {};
  ldns_buffer* buf = ldns_buffer_new(512);
  std::string out;
  if (buf && ldns_rr2buffer_wire(buf, rr, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK && ldns_buffer_position(buf) > 1) {
    // The owner is the root: one zero byte.
    out.assign(reinterpret_cast<const char*>(ldns_buffer_begin(buf)) + 1, ldns_buffer_position(buf) - 1);
  }
  if (buf) ldns_buffer_free(buf);
  ldns_rr_free(rr);
  if (out.size() > 0xffff) return {};
  return out;
}

// Writes a dotted lower-case name as labels, after a first label when one is given.
void PutName(std::string& out, std::string_view name, std::string_view first_label = {}) {
  if (!first_label.empty()) {
    out.push_back(static_cast<char>(first_label.size()));
    out.append(first_label);
  }
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    out.push_back(static_cast<char>(dot - start));
    out.append(name.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back('\0');
}

constexpr std::size_t HEADER = 12;
constexpr char QNAME_POINTER[2] = {static_cast<char>(0xC0), 12};

// Builds the message in place: the header and question first, then records, each
// counted in the header as it is added.
class Message {
 public:
  Message(std::string& out, util::ByteView msg, const Query& q) : m_out(out), m_q(q) {
    m_out.assign(HEADER, '\0');
    m_out[0] = static_cast<char>(q.id >> 8);
    m_out[1] = static_cast<char>(q.id & 0xff);
    m_out[5] = 1;  // one question, echoed as asked
    m_out.append(reinterpret_cast<const char*>(msg.data()) + HEADER, q.question_end - HEADER);
  }

  void SetRcode(uint8_t rcode, bool authoritative) {
    m_rcode = rcode;
    m_aa = authoritative;
  }
  // A compiled record owned by the query name.
  void AnswerRecord(std::string_view wire) {
    m_out.append(QNAME_POINTER, 2);
    m_out.append(wire);
    ++m_an;
  }
  void Soa(bool in_answer, std::string_view zone, std::string_view ns_id, const AnswerContext& ctx) {
    PutName(m_out, zone);
    PutU16(m_out, TYPE_SOA);
    PutU16(m_out, CLASS_IN);
    PutU32(m_out, ctx.negative_ttl);
    const std::size_t len_at = m_out.size();
    PutU16(m_out, 0);
    PutName(m_out, ns_id, "ns");
    PutName(m_out, ns_id, "hostmaster");
    for (uint32_t v : {ctx.height, uint32_t{3600}, uint32_t{600}, uint32_t{86400}, ctx.negative_ttl}) PutU32(m_out, v);
    const std::size_t rdlen = m_out.size() - len_at - 2;
    m_out[len_at] = static_cast<char>(rdlen >> 8);
    m_out[len_at + 1] = static_cast<char>(rdlen & 0xff);
    ++(in_answer ? m_an : m_ns);
  }
  void ApexNs(std::string_view ns_id) {
    m_out.append(QNAME_POINTER, 2);
    PutU16(m_out, TYPE_NS);
    PutU16(m_out, CLASS_IN);
    PutU32(m_out, DEFAULT_TTL);
    PutU16(m_out, static_cast<uint16_t>(ns_id.size() + 5));
    PutName(m_out, ns_id, "ns");
    ++m_an;
  }
  uint16_t Answers() const { return m_an; }

  // Adds OPT, fills in the header and truncates to `limit` (0: none).
  void Finish(bool badvers, std::size_t limit) {
    const std::size_t opt = m_q.edns ? 11 : 0;
    const bool truncated = limit && m_out.size() + opt > limit;
    if (truncated) {
      m_out.resize(m_q.question_end);
      m_an = m_ns = 0;
    }
    if (m_q.edns) {
      m_out.push_back('\0');  // the root
      PutU16(m_out, TYPE_OPT);
      PutU16(m_out, static_cast<uint16_t>(MAX_UDP_EDNS));
      m_out.push_back(static_cast<char>(badvers ? 1 : 0));  // extended rcode: BADVERS is 16
      m_out.push_back('\0');                                // version 0
      m_out.push_back(static_cast<char>(m_q.dnssec_ok ? 0x80 : 0));
      m_out.push_back('\0');
      PutU16(m_out, 0);
    }
    m_out[2] = static_cast<char>(0x80 | (m_aa ? 0x04 : 0) | (truncated ? 0x02 : 0) | (m_q.rd ? 0x01 : 0));
    m_out[3] = static_cast<char>(badvers ? 0 : m_rcode & 0x0f);
    m_out[6] = static_cast<char>(m_an >> 8);
    m_out[7] = static_cast<char>(m_an & 0xff);
    m_out[8] = static_cast<char>(m_ns >> 8);
    m_out[9] = static_cast<char>(m_ns & 0xff);
    m_out[11] = m_q.edns ? 1 : 0;
  }

 private:
  std::string& m_out;
  const Query& m_q;
  uint8_t m_rcode = RCODE_NOERROR;
  bool m_aa = true;
  uint16_t m_an = 0;
  uint16_t m_ns = 0;
};

// Walks a compiled name's records: f(owner_below_name, wire).
template <class F>
void ForEachRecord(std::string_view records, F f) {
  std::size_t pos = 0;
  while (pos < records.size()) {
    const std::size_t n = static_cast<uint8_t>(records[pos]);
    std::string_view owner = records.substr(pos + 1, n);
    pos += 1 + n;
    const std::size_t m = GetU16(records.data() + pos);
    std::string_view wire = records.substr(pos + 2, m);
    pos += 2 + m;
    f(owner, wire);
  }
}

uint16_t WireType(std::string_view wire) { return wire.size() >= 2 ? GetU16(wire.data()) : 0; }

// The records of a live name with a zone file.
void AnswerFromZone(Message& m, const Query& q, const NameView& name, std::string_view ns_id,
                    const AnswerContext& ctx) {
  std::string_view below;  // the query name below the name ("" at the name)
  if (q.qname.size() > name.fqn.size()) below = std::string_view(q.qname).substr(0, q.qname.size() - name.fqn.size() - 1);
  bool owner_exists = below.empty();
  bool cname = false;
  ForEachRecord(name.records, [&](std::string_view owner, std::string_view wire) {
    if (owner != below) {
      // An owner further below makes the query name an empty non-terminal.
      if (below.empty() ? !owner.empty()
                        : owner.size() > below.size() && owner.ends_with(below) &&
                              owner[owner.size() - below.size() - 1] == '.') {
        owner_exists = true;
      }
      return;
    }
    owner_exists = true;
    const uint16_t type = WireType(wire);
    if (type == 0) return;
    if (q.qtype == TYPE_ANY || type == q.qtype) m.AnswerRecord(wire);
    else if (type == TYPE_CNAME) cname = true;
  });
  if (m.Answers() == 0 && cname) {
    ForEachRecord(name.records, [&](std::string_view owner, std::string_view wire) {
      if (owner == below && WireType(wire) == TYPE_CNAME) m.AnswerRecord(wire);
    });
  }
  if (!name.has_soa && below.empty() && q.qtype == TYPE_SOA) m.Soa(true, name.fqn, ns_id, ctx);
  if (!owner_exists) {
    m.SetRcode(RCODE_NXDOMAIN, true);
    m.Soa(false, ns_id, ns_id, ctx);
    return;
  }
  if (m.Answers() == 0) m.Soa(false, name.fqn, ns_id, ctx);
}

void Resolve(Message& m, const Query& q, const AnswerContext& ctx, AnswerSource& source) {
  auto refuse = [&] { m.SetRcode(RCODE_REFUSED, false); };
  auto servfail = [&] { m.SetRcode(RCODE_SERVFAIL, false); };
  if ((q.qclass != CLASS_IN && q.qclass != CLASS_ANY) || q.qtype == TYPE_AXFR || q.qtype == 251 /* IXFR */ ||
      q.qtype == TYPE_OPT) {
    return refuse();
  }
  const std::string& qname = q.qname;
  if (qname.empty()) return refuse();
  const auto last_dot = qname.rfind('.');
  const std::string_view ns_id =
      last_dot == std::string::npos ? std::string_view(qname) : std::string_view(qname).substr(last_dot + 1);
  if (!bns::IsNamespaceIdValid(ns_id)) return refuse();
  auto ns = source.Namespace(ns_id);
  if (!ns) return servfail();
  const uint32_t reveal_expire = ctx.rules->namespace_reveal_expire;
  if (!*ns || (!(*ns)->IsReady() && bns::IsRevealExpired(**ns, ctx.height, reveal_expire))) return refuse();
  if (last_dot == std::string::npos) {
    // The namespace apex.
    if (q.qtype == TYPE_SOA || q.qtype == TYPE_ANY) m.Soa(true, ns_id, ns_id, ctx);
    if (q.qtype == TYPE_NS || q.qtype == TYPE_ANY) m.ApexNs(ns_id);
    if (m.Answers() == 0) m.Soa(false, ns_id, ns_id, ctx);
    return;
  }
  // name.namespace, and what lies below it.
  const auto second_dot = qname.rfind('.', last_dot - 1);
  const std::string_view fqn =
      second_dot == std::string::npos ? std::string_view(qname) : std::string_view(qname).substr(second_dot + 1);
  auto nxdomain = [&] {
    m.SetRcode(RCODE_NXDOMAIN, true);
    m.Soa(false, ns_id, ns_id, ctx);
  };
  if (!bns::IsNameValid(fqn)) return nxdomain();
  auto name = source.Name(fqn);
  if (!name) return servfail();
  if (!*name || (*name)->state == NameState::Gone) return nxdomain();
  const NameView& n = **name;
  if (!bns::StatusAt(n.first_registered, n.last_renewed, **ns, ctx.height, ctx.rules->epochs, reveal_expire).live) {
    return nxdomain();
  }
  switch (n.state) {
    case NameState::NoZonefile:
      if (qname.size() != fqn.size()) return nxdomain();
      m.Soa(false, fqn, ns_id, ctx);
      return;
    case NameState::Missing:    // the zone file has not reached this node yet
    case NameState::Unusable:   // on chain, but not a zone file DNS can serve
    case NameState::Gone:
      return servfail();
    case NameState::Zone:
      return AnswerFromZone(m, q, n, ns_id, ctx);
  }
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

CompiledName CompileName(const bns::NameRecord& rec, const std::optional<std::string>& zone_text) {
  CompiledName c;
  c.fqn = Lower(rec.name);
  c.first_registered = rec.first_registered;
  c.last_renewed = rec.last_renewed;
  if (rec.revoked) return c;  // Gone
  if (!rec.value_hash) {
    c.state = NameState::NoZonefile;
    return c;
  }
  if (!zone_text) {
    c.state = NameState::Missing;
    return c;
  }
  // Read as the clients read it: a "$ORIGIN name $TTL n" line answers too.
  auto zf = zonefile::ParseZonefile(*zone_text, {.as_clients = true});
  if (!zf) {
    c.state = NameState::Unusable;
    return c;
  }
  c.state = NameState::Zone;
  const uint32_t default_ttl = zf->ttl.value_or(DEFAULT_TTL);
  ldns_rdf* origin = ldns_dname_new_frm_str((c.fqn + ".").c_str());
  for (const auto& r : zf->records) {
    const std::string owner = AbsoluteOwner(r.name, c.fqn);
    if (owner.empty()) continue;
    const std::string below = owner.size() > c.fqn.size() ? owner.substr(0, owner.size() - c.fqn.size() - 1) : "";
    if (below.size() > 255) continue;  // longer than any DNS name: no query reaches it
    if (r.type == "SOA" && below.empty()) c.has_soa = true;
    const std::string wire = RecordWire(RecordText(".", r.ttl.value_or(default_ttl), r.type, r.fields), origin);
    c.records.push_back(static_cast<char>(below.size()));
    c.records += below;
    PutU16(c.records, static_cast<uint16_t>(wire.size()));
    c.records += wire;
  }
  if (origin) ldns_rdf_deep_free(origin);
  return c;
}

std::string EncodeName(const CompiledName& name) {
  std::string out;
  out.reserve(name.fqn.size() + 15 + name.records.size());
  bns::db::NameTable::PutFqn(out, name.fqn);
  PutU32(out, name.first_registered);
  PutU32(out, name.last_renewed);
  out.push_back(static_cast<char>(name.state));
  out.push_back(name.has_soa ? 1 : 0);
  PutU32(out, static_cast<uint32_t>(name.records.size()));
  out += name.records;
  return out;
}

NameView ViewName(const char* encoded) {
  NameView v;
  const char* p = encoded;
  v.fqn = bns::db::NameTable::EntryFqn(p);
  p += 1 + v.fqn.size();
  v.first_registered = GetU32(p);
  v.last_renewed = GetU32(p + 4);
  v.state = static_cast<NameState>(p[8]);
  v.has_soa = p[9] != 0;
  v.records = std::string_view(p + 14, GetU32(p + 10));
  return v;
}

std::size_t EncodedSize(const char* encoded) {
  const NameView v = ViewName(encoded);
  return static_cast<std::size_t>(v.records.data() + v.records.size() - encoded);
}

std::string ErrorAnswer(util::ByteView msg, uint8_t rcode) {
  if (msg.size() < 12 || (msg[2] & 0x80)) return {};
  std::string out(12, '\0');
  out[0] = static_cast<char>(msg[0]);
  out[1] = static_cast<char>(msg[1]);
  out[2] = static_cast<char>(0x80 | (msg[2] & 0x79));  // QR, the opcode and RD as asked
  out[3] = static_cast<char>(rcode & 0x0F);
  return out;
}

void WriteAnswer(util::ByteView msg, const Query& q, std::size_t limit, const AnswerContext& ctx,
                 AnswerSource& source, std::string& out) {
  Message m(out, msg, q);
  const bool badvers = q.edns && q.edns_version != 0;
  if (badvers) m.SetRcode(RCODE_NOERROR, false);
  else Resolve(m, q, ctx, source);
  m.Finish(badvers, limit);
}

}  // namespace blockstack::dns
