// An OpenDHT node holding content-addressed records (records.h): started on a UDP
// address with bootstrap peers and a private network id per Blockstack network.
//
// Records are put with OpenDHT's permanent flag, so this node re-announces them
// before remote nodes expire them (after VALUE_LIFETIME), for as long as it runs.
// Our value type carries a store policy: a node keeps a value only when it hashes
// to its key or is a well-formed manifest, so junk is refused at the door; reads
// check every value again and ignore what does not match.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dht/records.h>
#include <util/result.h>

namespace blockstack::dht {

inline constexpr std::chrono::minutes VALUE_LIFETIME{60};

struct DhtSettings {
  std::string listen = "127.0.0.1:0";      // UDP HOST:PORT; port 0 picks one
  std::vector<std::string> bootstrap;      // host:port
  uint64_t network_id = 0;                 // nodes on other ids ignore us
  std::chrono::milliseconds timeout{10000};
};

// The network id of a Blockstack network's DHT ("mainnet", "testnet", "regtest").
uint64_t NetworkIdFor(const std::string& network);

class DhtNode {
 public:
  static util::Result<std::unique_ptr<DhtNode>> Start(const DhtSettings& settings, Hasher hash160);
  ~DhtNode();
  DhtNode(const DhtNode&) = delete;
  DhtNode& operator=(const DhtNode&) = delete;

  uint16_t Port() const { return m_port; }
  // Adds bootstrap peers (host:port) later.
  void Bootstrap(const std::string& hostport);
  // How many other nodes this one knows.
  std::size_t KnownNodes() const;

  // Stores a record under its hash160 (chunked when over CHUNK_BYTES) and returns
  // the hash. Fails with TooLarge over MAX_RECORD_BYTES, Timeout/Unavailable when
  // no node took it.
  util::Result<std::string> Put(std::string_view record);
  // The record whose hash160 is hash_hex, checked; nullopt when no copy that
  // matches was found within the timeout.
  util::Result<std::optional<std::string>> Get(const std::string& hash_hex);

  void Stop();

 private:
  struct Impl;
  explicit DhtNode(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
  uint16_t m_port = 0;
};

}  // namespace blockstack::dht
