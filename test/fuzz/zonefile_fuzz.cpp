// Zone files and profile token files from peers and storage: reading hostile
// bytes never crashes; what parses renders to JSON, and a zone file built from
// its URI targets parses back to the same targets. The clients' reading only
// loosens the node's: what the node reads, the clients read the same.
#include <zonefile/profile.h>
#include <zonefile/zonefile.h>

#include <cstdlib>
#include <string_view>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)zonefile::ProfileFromTokenFile(text, zonefile::Signer{"1BoatSLRHtKNngkdXEeobR76b53LETtpyT", ""});
  auto as_clients = zonefile::ParseZonefile(text, {.as_clients = true});
  auto zf = zonefile::ParseZonefile(text);
  if (!zf) return 0;
  if (!as_clients || zonefile::ToJson(*as_clients) != zonefile::ToJson(*zf)) std::abort();
  (void)zonefile::ToJson(*zf).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto targets = zonefile::UriTargets(*zf);
  if (targets.size() > 50) return 0;
  auto rebuilt = zonefile::ParseZonefile(zonefile::MakeZonefile("fuzz.id", targets));
  if (rebuilt && zonefile::UriTargets(*rebuilt) != targets) std::abort();
  return 0;
}
