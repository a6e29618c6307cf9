// The client side of the Atlas peer protocol (doc/atlas.md): HTTP+JSON calls under
// /v1/atlas/ on a peer's API port, each bounded by its own timeout and checked the
// way the reference client checks them (§1.5). A reply that fails a check is an
// error, which the caller counts against the peer's health.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <atlas/frames.h>
#include <atlas/inventory.h>
#include <net/http_client.h>
#include <util/result.h>

namespace blockstack::atlas {

// Limits of spec §1.4-§1.5.
inline constexpr std::size_t MAX_INVENTORY_REQUEST = 524288;  // bytes per inventory call
inline constexpr std::size_t MAX_GET_ZONEFILES = 100;         // hashes per get call
inline constexpr std::size_t MAX_PUT_ZONEFILES = 5;           // files per put call
inline constexpr std::size_t MAX_NEIGHBORS = 80;              // peers per exchange reply
inline constexpr std::size_t MAX_REQUEST_BYTES = 512 * 1024;  // request bodies
inline constexpr std::size_t MAX_RESPONSE_BYTES = 6144000;    // 40960 x 150

struct PeerInfo {
  std::string server_version;
  std::string network;
  bool testnet = false;
  bool stale = false;
  uint32_t last_block = 0;      // last_block_processed
  std::string consensus;        // of last_block
  uint64_t zonefile_count = 0;  // inventory length in slots
};

class PeerClient {
 public:
  // hostport is "host:port". Fails with InvalidArgument on a malformed one.
  // min_rate > 0: answers slower than that many bytes a second (after a grace
  // from their first byte) fail with Timeout (HttpClientOptions::min_rate).
  static util::Result<std::unique_ptr<PeerClient>> Create(const std::string& hostport, std::size_t min_rate = 0,
                                                          std::chrono::milliseconds grace = std::chrono::seconds(1));

  util::Result<PeerInfo> GetInfo(std::chrono::milliseconds timeout);
  // inv[offset, offset+length) in bytes; longer than asked for is an error.
  util::Result<Inventory> GetInventory(uint64_t offset, uint64_t length, std::chrono::milliseconds timeout);
  // Announces my_hostport and returns the peer's neighbours: at most MAX_NEIGHBORS
  // well-formed "host:port" entries are kept, the rest ignored.
  util::Result<std::vector<std::string>> ExchangePeers(const std::string& my_hostport,
                                                       std::chrono::milliseconds timeout);
  // Asks for up to MAX_GET_ZONEFILES hashes. Files that fail a check are counted in
  // bad, never returned.
  util::Result<FetchedZonefiles> GetZonefiles(const std::vector<std::string>& hashes,
                                              std::chrono::milliseconds timeout);
  // Pushes up to MAX_PUT_ZONEFILES files; returns one saved flag per file.
  util::Result<std::vector<bool>> PutZonefiles(const std::vector<std::string>& files,
                                               std::chrono::milliseconds timeout);

  const std::string& HostPort() const { return m_hostport; }

 private:
  PeerClient(std::string hostport, std::unique_ptr<net::HttpClient> http)
      : m_hostport(std::move(hostport)), m_http(std::move(http)) {}
  util::Result<nlohmann::json> Call(std::string_view method, const std::string& target, const std::string& body,
                                    std::chrono::milliseconds timeout);
  std::string m_hostport;
  std::unique_ptr<net::HttpClient> m_http;
};

// True for "host:port" with a non-empty host without ':' or '/' and a port in 10..65535
// written without a leading zero (the reference's ^([^:]+):([1-9][0-9]{1,4})$).
bool IsValidHostPort(std::string_view hostport);

}  // namespace blockstack::atlas
