// A client of a blockstackd node's REST API v1 (doc/api.md): what the CLI and the
// resolver ask of a node.
//
// Thread safety: one NodeClient is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <net/http_client.h>
#include <util/result.h>

namespace blockstack::client {

// What a node says of a name (GET /v1/names/{name}).
enum class NameState { Registered, Revoked, Expired, Unknown };

struct NameInfo {
  NameState state = NameState::Unknown;
  nlohmann::json record;  // the node's answer (empty unless registered or revoked)
  std::string address;    // owner
  std::optional<std::string> zonefile_hash;
  std::optional<std::string> zonefile;  // when the node holds it
  // A subdomain the node does not have yet, answered by its domain's registrar
  // (the node redirected there): queued or in a batch not yet anchored. Its
  // zone file and owner are the registrar's word only.
  bool pending = false;
  std::string registrar;  // the URL the node redirected to
};

class NodeClient {
 public:
  // url: http://host:port of a node. Fails with InvalidArgument on a bad URL.
  static util::Result<std::unique_ptr<NodeClient>> Create(const std::string& url,
                                                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

  const std::string& Url() const { return m_url; }

  // GET path; returns the status and the JSON body (null when the body is not
  // JSON). Fails with Unavailable/Timeout/IoError when the node cannot be asked.
  util::Result<std::pair<unsigned, nlohmann::json>> GetJson(const std::string& path);
  // GET path; the status and the body as it came (for readers of their own).
  util::Result<std::pair<unsigned, std::string>> GetText(const std::string& path);

  util::Result<nlohmann::json> Info();
  util::Result<uint32_t> LastBlock();
  util::Result<std::string> ConsensusHash();
  util::Result<NameInfo> Name(const std::string& fqn);
  // GET /v1/dids/{did}: {"document", "public_key", "name"}. NotFound when the DID
  // names no live name, InvalidArgument when it is malformed.
  util::Result<nlohmann::json> Did(const std::string& did);
  // Raw zone file by hash; nullopt when the node does not have it.
  util::Result<std::optional<std::string>> Zonefile(const std::string& hash);
  // POST /v1/zonefile. Fails with InvalidArgument when the node refuses it.
  util::Status PublishZonefile(const std::string& text);
  // Price in satoshis of a name or a namespace; NotFound for an unknown namespace.
  util::Result<int64_t> NamePrice(const std::string& fqn);
  util::Result<int64_t> NamespacePrice(const std::string& namespace_id);
  // The namespace record; NotFound when it is neither revealed nor ready.
  util::Result<nlohmann::json> Namespace(const std::string& namespace_id);
  util::Result<std::vector<std::string>> NamesOwnedBy(const std::string& address);
  // GET /v1/names/{name}/history: {block: [state, ...]}, one page (20 entries) or,
  // with no page, every page merged. NotFound for a name with no history.
  util::Result<nlohmann::json> NameHistory(const std::string& fqn, std::optional<uint32_t> page = std::nullopt);
  // GET /v1/blockchains/bitcoin/names/{name}: the name's record as the chain has it.
  util::Result<nlohmann::json> BlockchainRecord(const std::string& fqn);
  // GET /v1/blockchains/bitcoin/transactions/{txid}: what the node made of a
  // transaction, {"status": "accepted"|"rejected"|"ignored", "op", "reason", ...}.
  util::Result<nlohmann::json> TransactionStatus(const std::string& txid);
  // GET /v1/blockchains/bitcoin/preorders/{hash} (ours): a preorder the node has
  // not seen consumed, with "live"; nullopt when it has none (or, an older node,
  // does not serve the route).
  util::Result<std::optional<nlohmann::json>> Preorder(const std::string& hash);
  // The accepted operations of a block: [{opcode, txid, vtxindex, block_number}].
  util::Result<nlohmann::json> OperationsAt(uint32_t height);

 private:
  NodeClient(std::string url, std::unique_ptr<net::HttpClient> http) : m_url(std::move(url)), m_http(std::move(http)) {}
  util::Result<nlohmann::json> Expect200(const std::string& path, const std::string& what);
  util::Result<NameInfo> Pending(const std::string& fqn, const std::string& location);
  // Asked when an answer has not the node's shape: whether the URL serves
  // blockstackd's /v1/info at all (once). Fails with Corruption, "not a
  // blockstackd API at URL", when it does not.
  util::Status CheckIsNode();

  std::string m_url;
  bool m_is_node = false;
  std::unique_ptr<net::HttpClient> m_http;
};

}  // namespace blockstack::client
