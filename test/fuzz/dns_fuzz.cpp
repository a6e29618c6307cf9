// DNS queries from anyone on the network: the fast parser never reads out of
// bounds, and every query it takes gets an answer, written from compiled names,
// that carries its id, is a response, fits the UDP limit and parses back. The
// same bytes are also compiled as a zone file (as a name's zone file from the
// chain would be) and asked for.
#include <dns/answer.h>
#include <dns/query.h>

#include <cstdlib>

// Last: ldns's C headers define macros that upset C++ headers included after them.
#include <ldns/ldns.h>

using namespace blockstack;

namespace {

class Source : public dns::AnswerSource {
 public:
  explicit Source(const std::string& zone_text) {
    ns.namespace_id = "id";
    ns.reveal_block = ns.ready_block = 1;
    ns.lifetime = bns::NAMESPACE_LIFE_INFINITE;
    bns::NameRecord rec;
    rec.name = "alice.id";
    rec.value_hash = std::string(40, '0');
    rec.first_registered = rec.last_renewed = 1;
    encoded = dns::EncodeName(dns::CompileName(rec, zone_text));
  }
  util::Result<const bns::NamespaceRecord*> Namespace(std::string_view id) override {
    return id == "id" ? &ns : nullptr;
  }
  util::Result<std::optional<dns::NameView>> Name(std::string_view fqn) override {
    if (fqn != "alice.id") return std::optional<dns::NameView>{};
    return std::optional<dns::NameView>(dns::ViewName(encoded.data()));
  }
  bns::NamespaceRecord ns;
  std::string encoded;
};

const std::string ZONE = "$ORIGIN alice.id\n$TTL 300\n@ IN A 192.0.2.1\n@ IN TXT \"" + std::string(300, 'x') +
                         "\"\nwww IN CNAME @\n_http._tcp IN URI 10 1 \"https://example.org/p.json\"\n";

void Check(util::ByteView msg, const dns::Query& q, dns::AnswerSource& source) {
  const std::size_t limit = dns::UdpLimit(q);
  dns::AnswerContext ctx;
  bns::ops::Rules rules;
  ctx.height = 10;
  ctx.rules = &rules;
  std::string out;
  dns::WriteAnswer(msg, q, limit, ctx, source, out);
  if (out.size() < 12 || out.size() > limit) std::abort();
  if (static_cast<uint8_t>(out[0]) != (q.id >> 8) || static_cast<uint8_t>(out[1]) != (q.id & 0xff)) std::abort();
  if ((static_cast<uint8_t>(out[2]) & 0x80) == 0) std::abort();
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, reinterpret_cast<const uint8_t*>(out.data()), out.size()) != LDNS_STATUS_OK) std::abort();
  ldns_pkt_free(pkt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  util::ByteView msg(data, size);
  // Any bytes as a name's zone file: compiled without harm.
  Source from_bytes(std::string(reinterpret_cast<const char*>(data), size));
  dns::Query q;
  auto status = dns::ParseQuery(msg, q);
  if (status == dns::ParseStatus::Drop) return 0;
  if (status != dns::ParseStatus::Ok) {
    std::string err = dns::ErrorAnswer(msg, dns::RCODE_FORMERR);
    if (err.size() != 12 || (static_cast<uint8_t>(err[2]) & 0x80) == 0) std::abort();
    return 0;
  }
  if (q.question_end > size || q.qname.size() > 255) std::abort();
  static Source source(ZONE);
  Check(msg, q, source);
  Check(msg, q, from_bytes);
  return 0;
}
