// lookup-example NODE_URL NAME [FILE]: resolves NAME through the blockstackd API at
// NODE_URL with the Blockstack client library, every step checked (the record,
// the zone file against its on-chain hash, the profile's signature against the
// owner), and prints the owner, the profile and, given FILE, that file from the
// owner's bucket (its signature checked). Exits 0 when resolved and verified, 1
// when a step fails (naming it), 2 on a bad command line.
#include <client/node_client.h>
#include <client/resolver.h>
#include <client/url_fetcher.h>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  namespace client = blockstack::client;
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: lookup-example NODE_URL NAME [FILE]\n";
    return 2;
  }
  auto node = client::NodeClient::Create(argv[1]);
  if (!node) {
    std::cerr << "lookup-example: " << node.error().message << "\n";
    return 2;
  }
  client::UrlFetcher storage;
  client::Resolver resolver(**node, storage);
  client::LookupOptions options;
  if (argc == 4) options.data_path = argv[3];

  const auto outcome = resolver.Lookup(argv[2], options);
  if (const auto* error = std::get_if<client::LookupError>(&outcome)) {
    std::cerr << "lookup-example: " << client::LookupFailureName(error->kind) << ": " << error->message << "\n";
    return 1;
  }
  const auto& result = std::get<client::LookupResult>(outcome);
  std::cout << "name " << result.name << "\nowner " << result.owner << "\nzone file hash " << result.zonefile_hash
            << "\nprofile " << result.profile.dump() << "\n";
  if (result.data) {
    std::cout << "file " << result.data_url << "\n"
              << std::string(result.data->data.begin(), result.data->data.end()) << "\n";
  }
  for (const auto& step : result.steps) std::cout << "verified: " << step.what << "\n";
  return 0;
}
