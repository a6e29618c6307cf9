// Reads zone files as the node does, for the tests that hold another reader to the
// same rules (test/functional/subdomain_rules.test.mjs): zonefile_dump IN OUT,
// where IN holds a JSON array of {"domain", "zonefile" (base64)}, writes to OUT a
// JSON array, one entry each: "zonefile" (null when the reader refuses it, else origin, ttl and records
// as [name, ttl, type, [fields in base64]]) and "subdomains" (null when the file
// carries none, else its records: fqn, seqn, owner, zonefile in base64,
// independent, sig, and whether the signature verifies against the record's own
// owner).
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include <subdomain/record.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <zonefile/zonefile.h>

using namespace blockstack;
using nlohmann::json;

namespace {

std::string B64(std::string_view s) { return util::EncodeBase64(util::AsBytes(s)); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: zonefile_dump IN OUT\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const json cases = json::parse(buffer.str(), nullptr, false);
  if (!cases.is_array()) {
    std::cerr << "zonefile_dump: " << argv[1] << " is not a JSON array\n";
    return 2;
  }
  json out = json::array();
  for (const auto& c : cases) {
    const auto bytes = util::DecodeBase64(c.at("zonefile").get<std::string>());
    if (!bytes) {
      std::cerr << "zonefile_dump: a zone file is not base64\n";
      return 2;
    }
    const std::string text(bytes->begin(), bytes->end());
    const std::string domain = c.at("domain").get<std::string>();
    json entry;
    if (auto zf = zonefile::ParseZonefile(text)) {
      json records = json::array();
      for (const auto& rr : zf->records) {
        json fields = json::array();
        for (const auto& f : rr.fields) fields.push_back(B64(f));
        records.push_back({B64(rr.name), rr.ttl ? json(*rr.ttl) : json(nullptr), rr.type, fields});
      }
      entry["zonefile"] = {{"origin", zf->origin ? json(B64(*zf->origin)) : json(nullptr)},
                           {"ttl", zf->ttl ? json(*zf->ttl) : json(nullptr)},
                           {"records", records}};
    } else {
      entry["zonefile"] = nullptr;
    }
    if (auto subs = subdomain::ParseZonefileSubdomains(domain, text)) {
      json records = json::array();
      for (const auto& r : subs->records) {
        records.push_back({{"fqn", B64(r.fqn)},
                           {"seqn", std::to_string(r.seqn)},
                           {"owner", B64(r.owner)},
                           {"zonefile", B64(r.zonefile)},
                           {"independent", r.independent},
                           {"sig", r.sig ? json(B64(*r.sig)) : json(nullptr)},
                           {"verifies", subdomain::VerifySignature(r, r.owner)}});
      }
      entry["subdomains"] = records;
    } else {
      entry["subdomains"] = nullptr;
    }
    out.push_back(std::move(entry));
  }
  std::ofstream(argv[2], std::ios::binary) << out.dump() << "\n";
  return 0;
}
