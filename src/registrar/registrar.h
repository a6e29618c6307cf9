// bns-registrar: one domain's subdomain registrar, speaking the original
// registrar's HTTP API (stacks-network/subdomain-registrar, its Bitcoin-era
// release). It queues requests durably, answers for them at once, and anchors
// them in batches: each batch is a zone file of the domain (the batch's records
// and a "_resolver" URI pointing at this registrar, so nodes send lookups of
// pending subdomains here), bound on chain by one NAME_UPDATE of the domain; once
// a node has accepted it, the zone file is given to every node.
//
// Crash safety: a batch is recorded (zone file, then its signed transaction)
// before anything is broadcast, and every step is one SQLite transaction; after a
// restart, open batches are taken up where they stopped (a signed transaction is
// broadcast again as is; one the Bitcoin node no longer knows, or the node
// refused, is dropped and its requests are queued again). A published batch is
// watched until it is final_confirmations deep: a reorganisation that takes its
// transaction out of the chain sends it again. A Bitcoin node that does not answer
// changes nothing: the round is tried again.
//
// Thread safety: Handle may be called from any thread; Tick from one.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <bitcoin/network.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bitcoin/spender.h>
#include <client/node_client.h>
#include <net/http_server.h>
#include <net/router.h>
#include <registrar/queue.h>

namespace blockstack::registrar {

struct RegistrarConfig {
  std::string domain;  // the on-chain name whose subdomains this registrar gives out
  bitcoin::Network network = bitcoin::Network::Mainnet;
  std::string magic = "id";
  std::string resolver_url;  // this registrar's public URL, put in the "_resolver" URI
  std::size_t zonefile_max_bytes = 40960;
  std::size_t batch_max = 120;        // records in one batch at most (and what fits the zone file)
  double batch_interval_s = 60;       // a queued request waits at most this long for a batch
  std::size_t ip_limit = 0;           // registrations per IP address (0: no limit)
  std::size_t owner_limit = 1;        // registrations per owner address (the original's 1)
  std::vector<std::string> api_keys;  // "Authorization: bearer KEY" skips the limits
  bool api_key_required = false;      // only registrations with a key
  std::size_t name_min_length = 1;
  uint32_t confirmations = 1;  // blocks the NAME_UPDATE must have before it is published
  uint32_t final_confirmations = 6;  // a published batch is watched for reorganisations until this deep
  double unseen_drop_s = 120;  // a sent transaction the Bitcoin node does not know for this long is dropped
  int64_t fee_rate = 10;       // satoshis per byte
};

// A batch's zone file for the domain: $ORIGIN, $TTL, one TXT record per request
// in order (at most max_records, and only while the file stays within max_bytes),
// then the "_resolver" URI when resolver_url is set. Returns the text and the
// labels it carries.
std::pair<std::string, std::vector<std::string>> BatchZonefile(const std::string& domain,
                                                               const std::string& resolver_url, std::size_t max_bytes,
                                                               std::size_t max_records,
                                                               const std::vector<QueuedRequest>& queued);

class Registrar {
 public:
  // nodes: blockstackd API clients (the first answers questions; all get the zone
  // files). wallet lists the owner's and payer's outputs; bitcoind broadcasts.
  Registrar(RegistrarConfig config, bitcoin::Spender owner, std::optional<bitcoin::Spender> payer, RegistrarDb db,
            std::vector<std::unique_ptr<client::NodeClient>> nodes, std::unique_ptr<bitcoin::rpc::RpcClient> bitcoind,
            std::unique_ptr<bitcoin::rpc::RpcClient> wallet);

  net::Response Handle(const net::Request& req);
  const std::string& Domain() const { return m_config.domain; }
  // One round of the batcher: follows the open batch, and anchors the queue when
  // a batch is due. Errors are logged and retried next round.
  void Tick();

 private:
  net::Response Register(const net::Request& req);
  net::Response Status(const std::string& label);
  net::Response NameInfo(const std::string& fqn);
  net::Response List(const std::string& iterator);

  // Whether the node already has fqn on chain (a 200 answer for it).
  util::Result<bool> OnChain(const std::string& fqn);
  util::Status Follow(const Batch& batch);
  // Checks the published batches not yet final_confirmations deep once per new
  // chain tip; one a reorganisation took out of the chain is reopened, with every
  // later one (each spends the output of the one before). Sets *reopened.
  util::Status Watch(bool* reopened);
  util::Status Anchor();
  util::Status SignAndSend(const Batch& batch);

  const RegistrarConfig m_config;
  const bitcoin::NetworkParams& m_net;
  bitcoin::Spender m_owner;
  std::optional<bitcoin::Spender> m_payer;
  std::mutex m_mutex;  // guards m_db
  RegistrarDb m_db;
  std::vector<std::unique_ptr<client::NodeClient>> m_nodes;  // used by Tick only, but for m_query
  std::unique_ptr<client::NodeClient> m_query;               // the first node, for the HTTP threads
  std::mutex m_query_mutex;
  std::unique_ptr<bitcoin::rpc::RpcClient> m_bitcoind;
  std::unique_ptr<bitcoin::rpc::RpcClient> m_wallet;
  net::Router m_router;
  std::string m_watched_tip;  // the chain tip Watch last checked (Tick's thread only)
};

// `bns-registrar ARGS`: parses options, opens the database, serves until SIGINT or
// SIGTERM. Returns the process exit code.
int RunRegistrar(int argc, char** argv);

}  // namespace blockstack::registrar
