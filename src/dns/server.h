// The DNS front end (`blockstackd --dns HOST:PORT`): standard DNS over UDP and TCP
// for BNS names (what it answers: answer.h).
//
// Every name is kept compiled in memory (table.h) by an updater thread: built
// from the whole database at start, then brought up to date after each block
// (the names whose history the new blocks wrote; a full rebuild when the block at
// the table's height has another consensus hash, i.e. after a reorg) and after
// each zone file that arrives for a name that lacked it. A query is answered from
// the table when the table has seen every block and zone file reported so far;
// otherwise (while it is built, and for the moment after a block before it has
// caught up) the name is compiled from the database for that query.
//
// Threads: `threads` UDP threads, each with its own socket on the port
// (SO_REUSEPORT) read and written in batches (recvmmsg/sendmmsg), one TCP thread,
// and the updater. Each answering thread has its own database connection.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <dns/answer.h>
#include <dns/query.h>
#include <dns/table.h>
#include <dns/zones.h>
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

struct DnsTableStats {
  bool current = false;  // has seen every block and zone file reported
  std::size_t names = 0;
  std::size_t memory_bytes = 0;
  uint32_t height = 0;
};

class DnsServer {
 public:
  static util::Result<std::unique_ptr<DnsServer>> Start(DnsSettings settings, atlas::ZonefileStore& zonefiles,
                                                        uint32_t height);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  uint16_t Port() const { return m_port; }
  // Called once the block is in the database: answers reflect it from now on.
  void OnBlock(uint32_t height);
  // Called once a zone file is in the store.
  void OnZonefileStored(const std::string& hash);
  DnsTableStats TableStats();
  void Stop();

  // Answers one message (any transport) into `out`; empty means send nothing.
  // slot: the answering thread (0..threads-1 for UDP, `threads` for TCP).
  void Handle(std::size_t slot, util::ByteView msg, bool tcp, std::string& out);

 private:
  DnsServer(DnsSettings settings, atlas::ZonefileStore& zonefiles, uint32_t height);
  void UdpLoop(std::size_t slot);
  void UpdaterLoop();
  util::Status BuildTable();
  util::Status UpdateTable();
  util::Result<std::string> CompileForTable(const bns::NameRecord& rec);
  bool TableCurrent() const;

  DnsSettings m_settings;
  atlas::ZonefileStore& m_zonefiles;
  std::atomic<uint32_t> m_height;
  std::atomic<uint64_t> m_generation{1};  // blocks and zone files reported
  uint16_t m_port = 0;
  std::atomic<bool> m_stopped{false};

  std::vector<std::unique_ptr<Zones>> m_zones;  // per answering thread
  std::vector<int> m_udp_fds;
  std::vector<std::thread> m_threads;
  struct Tcp;
  std::unique_ptr<Tcp> m_tcp;

  // The table, read under a shared lock; written by the updater alone.
  mutable std::shared_mutex m_table_mutex;
  std::unique_ptr<NameTable> m_table;
  std::map<std::string, bns::NamespaceRecord, std::less<>> m_table_namespaces;
  std::atomic<bool> m_table_ready{false};
  std::atomic<uint32_t> m_table_height{0};
  std::atomic<uint64_t> m_table_generation{0};

  // The updater's own state.
  std::unique_ptr<Zones> m_updater_zones;
  std::string m_table_consensus;  // the consensus hash at m_table_height
  std::unordered_map<std::string, std::vector<std::string>> m_waiting;  // zone-file hash -> names lacking it
  std::mutex m_update_mutex;
  std::condition_variable m_update_cv;
  std::vector<std::string> m_stored_hashes;
  std::thread m_updater;
};

}  // namespace blockstack::dns
