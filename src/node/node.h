// The running node: owns every part blockstackd runs (the name database and its
// indexer, the zone-file store, the REST API with Atlas and the DHT record routes
// mounted beside it, the subdomain index, the DNS front end, the DHT node and
// the record sources), starts them in dependency order, wires each to the
// events it consumes (node/events.h) and stops them in reverse.
//
// Threads (doc/architecture.md): Run's caller indexes (the scanner's own
// prefetch thread reads blocks ahead of it); the HTTP server, Atlas, the
// subdomain index, the DNS server, the DHT node and the record sources run
// their own threads, each reading through its own SQLite connections.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <net/router.h>
#include <node/config.h>
#include <node/events.h>
#include <util/result.h>

namespace blockstack::node {

class Node {
 public:
  // Opens and starts every part the configuration asks for; nothing is indexed
  // until Run. Fails with Unavailable when a listener or the Bitcoin node cannot
  // be had, with another code when the data directory or the configuration is
  // unusable.
  static util::Result<std::unique_ptr<Node>> Start(const Config& cfg);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Indexes until stop is set, or until the tip with Config::exit_at_tip;
  // waits Config::poll_seconds between catch-ups and retries after failures.
  void Run(const std::atomic<bool>& stop);
  // Stops every part in reverse order of start. Idempotent.
  void Stop();

  const EventFanOut& Events() const { return m_events; }
  // The REST API's URL once it listens ("" without an API).
  const std::string& ApiUrl() const { return m_api_url; }

  // Stores a zone file announced on chain: through Atlas when it runs (so it
  // is replicated), otherwise checked against the name database and written
  // to the store. Every newly stored file is published as ZonefileStored.
  // Returns whether it was new; fails with NotFound when no name announces it.
  util::Result<bool> StoreZonefile(std::string_view zonefile);

 private:
  struct Parts;
  explicit Node(const Config& cfg);
  util::Status Open();
  util::Status OpenChain();
  util::Status OpenServices();
  util::Status OpenApi();
  util::Status Listen();
  void Subscribe();
  void ReportBelowFirstBlock();

  Config m_cfg;
  std::unique_ptr<Parts> m_parts;
  EventFanOut m_events;
  net::Router m_router;  // the HTTP server's: Atlas and the DHT mounted, then the API
  std::string m_api_url;
  bool m_stopped = false;
  std::optional<std::chrono::steady_clock::time_point> m_below_reported;  // Run's thread only
};

// Runs the node with a parsed configuration (logging already set up) until
// SIGINT or SIGTERM; returns the process's exit code.
int RunNode(const Config& config);

}  // namespace blockstack::node
