// Resolution end to end: name -> owner and zone-file hash (a node) -> zone file
// (the node, other nodes or mirrors; hash checked) -> profile URL (its URI
// records) -> profile token file (storage; signature checked against the owner)
// -> optionally an app file from the owner's bucket (signature checked, decrypted
// when the caller holds the key).
//
// Every failure is a distinct LookupFailure, so the CLI can give each its own exit
// code. Thread safety: one Resolver is used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include <client/gaia_client.h>
#include <client/node_client.h>
#include <client/url_fetcher.h>
#include <crypto/keys.h>

namespace blockstack::client {

enum class LookupFailure {
  NodeUnreachable,     // the node could not be asked
  NameUnknown,         // never registered
  NameExpired,         // registered once, now expired
  NameRevoked,         // revoked by its owner
  ZonefileMissing,     // no zone-file hash on chain, or nobody holds the file
  HashMismatch,        // every copy found differs from the on-chain hash
  NoProfileUrl,        // the zone file does not parse or has no URI record
  BadSignature,        // profile or data not signed by the owner
  StorageUnreachable,  // the storage server could not be reached
  StorageMissing,      // storage answered, but without the profile or file
  DecryptFailed,       // the data could not be decrypted with the key given
};

const char* LookupFailureName(LookupFailure f);

struct LookupError {
  LookupFailure kind;
  std::string message;
};

struct LookupStep {
  std::string what;
  double ms = 0;
};

struct LookupResult {
  std::string name;
  std::string owner;
  nlohmann::json record;
  std::string zonefile;
  std::string zonefile_hash;
  std::string zonefile_source;  // the URL it came from
  // A subdomain the node sent to its domain's registrar: queued there, not yet
  // on chain (owner and zone file are the registrar's word).
  bool pending = false;
  std::string registrar;
  std::string profile_url;      // the URI record that yielded the profile
  std::vector<std::string> profile_urls_tried;  // earlier URI records, and why each failed
  nlohmann::json profile;
  std::optional<GetResult> data;
  std::string data_url;
  std::vector<LookupStep> steps;
};

using LookupOutcome = std::variant<LookupResult, LookupError>;

struct LookupOptions {
  // Where else to look for a zone file the node lacks, in order: other nodes
  // (http://host:port, asked /v1/zonefiles/{hash}) or mirrors given as URL
  // templates with "{hash}" in them.
  std::vector<std::string> zonefile_sources;
  std::optional<std::string> data_path;         // read this file from the owner's bucket
  std::optional<std::string> app;               // ... from profile.apps[app] instead
  std::optional<crypto::PrivateKey> decrypt_key;
  bool verify_data = true;
};

class Resolver {
 public:
  Resolver(NodeClient& node, UrlFetcher& storage) : m_node(node), m_storage(storage) {}

  LookupOutcome Lookup(const std::string& name, const LookupOptions& options = {});

 private:
  NodeClient& m_node;
  UrlFetcher& m_storage;
  std::map<std::string, std::unique_ptr<NodeClient>> m_sources;
};

}  // namespace blockstack::client
