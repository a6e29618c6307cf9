// The DNS front end (`blockstackd --dns HOST:PORT`): standard DNS over UDP and TCP
// for BNS names, answered from the name database and the zone files (Zones).
//
// Every query goes through the fast parser (query.h). Answers are built in wire
// format with ldns and cached per question, EDNS0 state and size limit until the
// next block or stored zone file; a cached answer costs a copy and an id patch.
// Over UDP an answer larger than the client's limit (512, or its EDNS0 size up to
// 1232) is sent empty with the TC bit, so the client retries over TCP.
//
// Threads: one per `threads`, each with its own UDP socket on the port
// (SO_REUSEPORT), database connection and cache; TCP is served by the first.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <dns/answer.h>
#include <dns/query.h>
#include <dns/zones.h>
#include <util/result.h>

namespace blockstack::dns {

struct DnsSettings {
  std::string listen = "127.0.0.1:5353";  // port 0: pick a free one
  std::size_t threads = 2;
  std::size_t cache_entries = 100000;      // per thread
  std::size_t max_tcp_connections = 256;
  std::chrono::milliseconds tcp_idle_timeout{10000};
  ZonesSettings zones;
};

class DnsServer {
 public:
  static util::Result<std::unique_ptr<DnsServer>> Start(DnsSettings settings, atlas::ZonefileStore& zonefiles,
                                                        uint32_t height);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  uint16_t Port() const { return m_port; }
  // Answers reflect a block once it is reported here; cached answers are dropped.
  void OnBlock(uint32_t height);
  void OnZonefileStored() { ++m_generation; }
  void Stop();

  // Handles one message (any transport); "" means send nothing. Thread index picks
  // the database connection and cache.
  std::string Handle(std::size_t thread, util::ByteView msg, bool tcp);

 private:
  struct Worker;
  DnsServer(DnsSettings settings, atlas::ZonefileStore& zonefiles, uint32_t height);

  DnsSettings m_settings;
  atlas::ZonefileStore& m_zonefiles;
  std::atomic<uint32_t> m_height;
  std::atomic<uint64_t> m_generation{0};
  uint16_t m_port = 0;
  std::vector<std::unique_ptr<Worker>> m_workers;
  std::vector<std::thread> m_threads;
  std::atomic<bool> m_stopped{false};
};

}  // namespace blockstack::dns
