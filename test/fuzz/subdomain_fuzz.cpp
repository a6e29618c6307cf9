// Domain zone files from peers: reading their subdomain records never crashes,
// checking any record's signature never crashes, and a record written back out
// reads back with the same name, sequence number and zone file.
#include <subdomain/record.h>
#include <zonefile/zonefile.h>

#include <cstdlib>
#include <string>
#include <string_view>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto zf = zonefile::ParseZonefile(text);
  const std::string domain = zf && zf->origin ? *zf->origin : "foo.id";
  auto parsed = subdomain::ParseZonefileSubdomains(domain, text);
  if (!parsed) return 0;
  for (const auto& record : parsed->records) {
    (void)subdomain::VerifySignature(record, record.owner);
    (void)subdomain::VerifySignature(record, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT");
    if (record.zonefile.size() > zonefile::MAX_ZONEFILE_BYTES) continue;
    const std::string rebuilt = "$ORIGIN " + domain + "\n" + subdomain::MakeTxtRecord(record) + "\n";
    auto back = subdomain::ParseZonefileSubdomains(domain, rebuilt);
    if (!back) continue;  // e.g. an owner with a line break cannot be written back
    if (back->records.size() != 1) std::abort();
    const auto& b = back->records[0];
    if (b.fqn != record.fqn || b.seqn != record.seqn || b.zonefile != record.zonefile) std::abort();
  }
  return 0;
}
