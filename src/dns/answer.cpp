#include <dns/answer.h>

#include <cstdlib>

#include <spdlog/spdlog.h>

// Last: ldns's C headers define macros that upset C++ headers included after them.
#include <ldns/ldns.h>

namespace blockstack::dns {

namespace {

// Frees what ldns allocates when a scope ends.
struct PktGuard {
  ldns_pkt* p = nullptr;
  ~PktGuard() {
    if (p) ldns_pkt_free(p);
  }
};

std::string Wire(ldns_pkt* p) {
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&wire, p, &size) != LDNS_STATUS_OK) return {};
  std::string out(reinterpret_cast<const char*>(wire), size);
  free(wire);  // NOLINT: allocated by ldns with malloc
  return out;
}

void PushAll(ldns_pkt* p, ldns_pkt_section section, const std::vector<std::string>& lines, ldns_rdf* origin) {
  for (const auto& line : lines) {
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, line.c_str(), 0, origin, nullptr) != LDNS_STATUS_OK || !rr) {
      spdlog::debug("dns: skipping a record ldns cannot read: {}", line);
      continue;
    }
    ldns_pkt_push_rr(p, section, rr);
  }
}

}  // namespace

std::string ErrorAnswer(util::ByteView msg, uint8_t rcode) {
  if (msg.size() < 12 || (msg[2] & 0x80)) return {};
  std::string out(12, '\0');
  out[0] = static_cast<char>(msg[0]);
  out[1] = static_cast<char>(msg[1]);
  out[2] = static_cast<char>(0x80 | (msg[2] & 0x79));  // QR, the opcode and RD as asked
  out[3] = static_cast<char>(rcode & 0x0F);
  return out;
}

std::string BuildAnswer(util::ByteView msg, const Query& q, const ZoneAnswer& zone, std::size_t limit) {
  PktGuard query;
  if (ldns_wire2pkt(&query.p, msg.data(), msg.size()) != LDNS_STATUS_OK) return ErrorAnswer(msg, RCODE_FORMERR);
  const ldns_rr_list* question = ldns_pkt_question(query.p);
  if (!question || ldns_rr_list_rr_count(question) != 1) return ErrorAnswer(msg, RCODE_FORMERR);
  ldns_rdf* origin = nullptr;
  if (!zone.origin.empty()) origin = ldns_dname_new_frm_str(zone.origin.c_str());

  auto build = [&](bool truncated) {
    PktGuard p{ldns_pkt_new()};
    ldns_pkt_set_id(p.p, q.id);
    ldns_pkt_set_qr(p.p, true);
    ldns_pkt_set_opcode(p.p, LDNS_PACKET_QUERY);
    ldns_pkt_set_rd(p.p, q.rd);
    ldns_pkt_set_aa(p.p, zone.authoritative);
    ldns_pkt_set_tc(p.p, truncated);
    ldns_pkt_push_rr(p.p, LDNS_SECTION_QUESTION, ldns_rr_clone(ldns_rr_list_rr(question, 0)));
    bool badvers = q.edns && q.edns_version != 0;
    ldns_pkt_set_rcode(p.p, badvers ? RCODE_NOERROR : zone.rcode);
    if (q.edns) {
      ldns_pkt_set_edns_udp_size(p.p, MAX_UDP_EDNS);
      ldns_pkt_set_edns_do(p.p, q.dnssec_ok);
      if (badvers) ldns_pkt_set_edns_extended_rcode(p.p, 1);  // BADVERS (16)
    }
    if (!truncated && !badvers) {
      PushAll(p.p, LDNS_SECTION_ANSWER, zone.answer, origin);
      PushAll(p.p, LDNS_SECTION_AUTHORITY, zone.authority, origin);
    }
    return Wire(p.p);
  };
  std::string out = build(false);
  if (limit && out.size() > limit) out = build(true);
  if (origin) ldns_rdf_deep_free(origin);
  return out;
}

}  // namespace blockstack::dns
