// The DNS front end (`blockstackd --dns HOST:PORT`): standard DNS over UDP and TCP
// for BNS names (what it answers: answer.h).
//
// Every name is kept compiled in memory (bns/db/name_mirror.h) and brought up to
// date after each block and after each zone file that arrives for a name that
// lacked it. A query is answered from the table when the table has seen every
// block and zone file reported so far; otherwise the name is compiled from the
// database for that query.
//
// Threads: `threads` UDP threads, each with its own socket on the port
// (SO_REUSEPORT) read and written in batches (recvmmsg/sendmmsg), one TCP thread,
// and the mirror's. Each answering thread has its own database connection.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <bns/db/name_mirror.h>
#include <dns/answer.h>
#include <dns/query.h>
#include <dns/zones.h>
#include <interfaces/events.h>
#include <util/result.h>

namespace blockstack::dns {

struct DnsSettings {
  std::string listen = "127.0.0.1:5353";  // port 0: pick a free one
  std::size_t threads = 2;                // UDP threads
  std::size_t max_tcp_connections = 256;
  std::chrono::milliseconds tcp_idle_timeout{10000};
  bool table = true;  // keep every name compiled in memory (off: every query reads the database)
  ZonesSettings zones;
};

class DnsServer : private bns::db::NameMirror::Encoder {
 public:
  static util::Result<std::unique_ptr<DnsServer>> Start(DnsSettings settings, atlas::ZonefileStore& zonefiles,
                                                        uint32_t height);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  uint16_t Port() const { return m_port; }
  // Called once the block is in the database: answers reflect it from now on.
  void OnBlock(uint32_t height);
  void OnBlockCommitted(const interfaces::BlockCommitted& block) { OnBlock(block.height); }
  // Called once a zone file is in the store.
  void OnZonefileStored(const std::string& hash);
  void OnZonefileStored(const interfaces::ZonefileStored& stored) { OnZonefileStored(stored.hash); }
  bns::db::NameMirrorStats TableStats() const;
  void Stop();

  // Answers one message (any transport) into `out`; empty means send nothing.
  // slot: the answering thread (0..threads-1 for UDP, `threads` for TCP).
  void Handle(std::size_t slot, util::ByteView msg, bool tcp, std::string& out);

 private:
  DnsServer(DnsSettings settings, atlas::ZonefileStore& zonefiles, uint32_t height);
  void UdpLoop(std::size_t slot);
  // NameMirror::Encoder, on the mirror's thread.
  void OnRebuild() override;
  util::Result<std::string> Encode(const bns::NameRecord& rec) override;
  util::Result<std::vector<std::string>> Stale(bns::db::NameDb& db) override;
  void StaleApplied() override;

  DnsSettings m_settings;
  atlas::ZonefileStore& m_zonefiles;
  std::atomic<uint32_t> m_height;
  uint16_t m_port = 0;
  std::atomic<bool> m_stopped{false};

  std::vector<std::unique_ptr<Zones>> m_zones;  // per answering thread
  std::vector<int> m_udp_fds;
  std::vector<std::thread> m_threads;
  struct Tcp;
  std::unique_ptr<Tcp> m_tcp;

  // Zone files stored since the mirror's last update: the names that point at
  // them are compiled again (found through the database, so a fresh node syncing
  // every zone file keeps no list of the names still waiting).
  std::mutex m_stored_mutex;
  std::vector<std::string> m_stored_hashes;
  std::size_t m_stale_taken = 0;                  // leading hashes the last Stale answered from (mirror thread)
  std::unique_ptr<bns::db::NameMirror> m_mirror;  // last: stopped before the rest goes
};

}  // namespace blockstack::dns
