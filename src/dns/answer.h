// DNS answers in wire format, built with ldns from resource records in
// presentation format: the header and question echoed from the query, EDNS0
// (OPT, BADVERS), and truncation to a size limit with the TC bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <dns/query.h>

namespace blockstack::dns {

struct ZoneAnswer {
  uint8_t rcode = 0;
  bool authoritative = true;
  std::string origin;                  // relative names in the records are read against it ("alice.id.")
  std::vector<std::string> answer;     // "owner. ttl IN TYPE rdata"
  std::vector<std::string> authority;
};

// The whole answer to one parsed query, in wire format. limit: the largest size
// allowed (UDP); 0 for TCP. Records ldns cannot read are left out.
std::string BuildAnswer(util::ByteView query_msg, const Query& q, const ZoneAnswer& zone, std::size_t limit);
// The answer to a query the fast parser refused (FORMERR/NOTIMP), or "" to drop it.
std::string ErrorAnswer(util::ByteView query_msg, uint8_t rcode);

}  // namespace blockstack::dns
