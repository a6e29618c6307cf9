// DNS queries from anyone on the network: the fast parser never reads out of
// bounds, and every query it takes gets an answer from the ldns builder that
// carries its id, is a response, and fits the UDP limit.
#include <dns/answer.h>
#include <dns/query.h>

#include <cstdlib>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  util::ByteView msg(data, size);
  dns::Query q;
  auto status = dns::ParseQuery(msg, q);
  if (status == dns::ParseStatus::Drop) return 0;
  if (status != dns::ParseStatus::Ok) {
    std::string err = dns::ErrorAnswer(msg, dns::RCODE_FORMERR);
    if (err.size() != 12 || (static_cast<uint8_t>(err[2]) & 0x80) == 0) std::abort();
    return 0;
  }
  if (q.question_end > size || q.qname.size() > 255) std::abort();
  dns::ZoneAnswer zone;
  zone.origin = "alice.id.";
  zone.answer = {"alice.id. 300 IN A 192.0.2.1", "alice.id. 300 IN TXT \"" + std::string(300, 'x') + "\"",
                 "www 300 IN CNAME @", "alice.id. 300 IN URI 10 1 \"https://example.org/p.json\""};
  zone.authority = {"id. 60 IN SOA ns.id. hostmaster.id. 1 3600 600 86400 60"};
  const std::size_t limit = dns::UdpLimit(q);
  std::string out = dns::BuildAnswer(msg, q, zone, limit);
  if (out.empty()) return 0;  // ldns refused what the fast path took: answered as FORMERR elsewhere
  if (out.size() < 12 || out.size() > limit) std::abort();
  if (static_cast<uint8_t>(out[0]) != (q.id >> 8) || static_cast<uint8_t>(out[1]) != (q.id & 0xff)) std::abort();
  if ((static_cast<uint8_t>(out[2]) & 0x80) == 0) std::abort();
  return 0;
}
