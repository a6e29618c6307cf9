// The DNS query parser (RFC 1035 §4.1, RFC 6891 for EDNS0): the fast path every
// query takes, bounds-checked byte by byte. It reads the header, one question and
// an optional OPT record, and nothing else; it never allocates per label.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <util/bytes.h>

namespace blockstack::dns {

inline constexpr uint16_t TYPE_A = 1, TYPE_NS = 2, TYPE_CNAME = 5, TYPE_SOA = 6, TYPE_PTR = 12, TYPE_MX = 15,
                          TYPE_TXT = 16, TYPE_AAAA = 28, TYPE_SRV = 33, TYPE_OPT = 41, TYPE_SPF = 99,
                          TYPE_AXFR = 252, TYPE_ANY = 255, TYPE_URI = 256;
inline constexpr uint16_t CLASS_IN = 1, CLASS_ANY = 255;
inline constexpr uint8_t RCODE_NOERROR = 0, RCODE_FORMERR = 1, RCODE_SERVFAIL = 2, RCODE_NXDOMAIN = 3,
                         RCODE_NOTIMP = 4, RCODE_REFUSED = 5;
inline constexpr std::size_t MAX_UDP_PLAIN = 512;     // without EDNS0
inline constexpr std::size_t MAX_UDP_EDNS = 1232;     // what we offer and honour at most
inline constexpr std::size_t MAX_MESSAGE = 65535;

struct Query {
  uint16_t id = 0;
  uint8_t opcode = 0;
  bool rd = false;
  std::string qname;             // lower case, dotted, no trailing dot ("" = root)
  std::size_t question_end = 0;  // offset just past the question (QNAME, QTYPE, QCLASS)
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool edns = false;
  uint16_t edns_udp_size = 0;    // as asked
  uint8_t edns_version = 0;
  bool dnssec_ok = false;
};

enum class ParseStatus {
  Ok,
  Drop,      // not a query we answer at all (too short for a header, or a response)
  FormErr,   // malformed: answer FORMERR with the id
  NotImp,    // an opcode other than QUERY: answer NOTIMP
};

// Reads a query. On Drop nothing is set; on FormErr/NotImp only id, opcode and rd
// (and qname, partly). `out` may be reused from query to query.
ParseStatus ParseQuery(util::ByteView msg, Query& out);

// The largest UDP answer for this query.
std::size_t UdpLimit(const Query& q);

}  // namespace blockstack::dns
