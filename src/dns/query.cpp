#include <dns/query.h>

#include <algorithm>

namespace blockstack::dns {
namespace {

uint16_t U16(util::ByteView m, std::size_t at) { return static_cast<uint16_t>(m[at] << 8 | m[at + 1]); }

// Skips a (possibly compressed) name in an additional record; false when malformed.
bool SkipName(util::ByteView m, std::size_t& pos) {
  for (int labels = 0; labels < 128; ++labels) {
    if (pos >= m.size()) return false;
    uint8_t len = m[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 2 > m.size()) return false;
      pos += 2;
      return true;
    }
    if (len & 0xC0) return false;
    pos += 1 + len;
    if (len == 0) return true;
  }
  return false;
}

}  // namespace

ParseStatus ParseQuery(util::ByteView m, Query& q) {
  if (m.size() < 12) return ParseStatus::Drop;
  if (m[2] & 0x80) return ParseStatus::Drop;  // a response: never answer it (no loops)
  q.id = U16(m, 0);
  q.opcode = (m[2] >> 3) & 0x0F;
  q.rd = m[2] & 0x01;
  if (q.opcode != 0) return ParseStatus::NotImp;
  const uint16_t qd = U16(m, 4), an = U16(m, 6), ns = U16(m, 8), ar = U16(m, 10);
  if (qd != 1 || an != 0 || ns != 0 || ar > 1) return ParseStatus::FormErr;

  std::size_t pos = 12;
  std::string& name = q.qname;  // reuses what an earlier query left in it
  name.clear();
  std::size_t wire_len = 1;
  for (;;) {
    if (pos >= m.size()) return ParseStatus::FormErr;
    uint8_t len = m[pos++];
    if (len == 0) break;
    if (len > 63) return ParseStatus::FormErr;  // no compression in a question we take
    if (pos + len > m.size()) return ParseStatus::FormErr;
    wire_len += 1 + len;
    if (wire_len > 255) return ParseStatus::FormErr;
    if (!name.empty()) name.push_back('.');
    for (std::size_t i = 0; i < len; ++i) {
      char c = static_cast<char>(m[pos + i]);
      // A label byte that would be ambiguous in dotted text makes the name one we
      // cannot hold: it is kept as a byte that no BNS name contains.
      if (c == '.' || c == '\0') c = '\x7f';
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    pos += len;
  }
  if (pos + 4 > m.size()) return ParseStatus::FormErr;
  q.qtype = U16(m, pos);
  q.qclass = U16(m, pos + 2);
  pos += 4;
  q.question_end = pos;
  q.edns = false;
  q.edns_udp_size = 0;
  q.edns_version = 0;
  q.dnssec_ok = false;
  if (ar == 1) {
    if (!SkipName(m, pos)) return ParseStatus::FormErr;
    if (pos + 10 > m.size()) return ParseStatus::FormErr;
    uint16_t type = U16(m, pos);
    uint16_t rdlen = U16(m, pos + 8);
    if (pos + 10 + rdlen > m.size()) return ParseStatus::FormErr;
    if (type == TYPE_OPT) {
      q.edns = true;
      q.edns_udp_size = U16(m, pos + 2);
      q.edns_version = m[pos + 5];
      q.dnssec_ok = m[pos + 6] & 0x80;
    }
    pos += 10 + rdlen;
  }
  if (pos != m.size()) return ParseStatus::FormErr;  // trailing bytes
  return ParseStatus::Ok;
}

std::size_t UdpLimit(const Query& q) {
  if (!q.edns) return MAX_UDP_PLAIN;
  return std::clamp<std::size_t>(q.edns_udp_size, MAX_UDP_PLAIN, MAX_UDP_EDNS);
}

}  // namespace blockstack::dns
