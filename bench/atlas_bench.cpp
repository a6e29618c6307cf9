// Atlas sync: a fresh node fetches every zone file of a synthetic chain from three
// peers over loopback HTTP, exactly as blockstackd does (the same AtlasNode, peer
// client and HTTP server), and the time is compared with a raw copy of the same
// bytes (bench/atlas_bench.sh runs curl against nginx for that).
//
//   atlas_bench DIR [COUNT]
//
// Writes DIR/raw.bin (every zone file back to back), then prints
//   "sync <seconds> <bytes> <files> <cpu seconds>" when the fresh node holds them
// all (the CPU time of the whole process, peers and fetching node, during the sync).
// The chain is synthetic: COUNT slots, 100 per block, each announcing one ~4 KB
// zone file; every peer serves the same store.
#include <atlas/atlas_node.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sys/resource.h>
#include <unistd.h>
#include <thread>

#include <spdlog/spdlog.h>

using namespace blockstack;
using std::chrono::milliseconds;

namespace {

class SyntheticIndex : public interfaces::ZonefileIndex {
 public:
  explicit SyntheticIndex(std::vector<interfaces::ZonefileSlot> slots) : m_slots(std::move(slots)) {}
  util::Result<std::vector<interfaces::ZonefileSlot>> SlotsFrom(uint32_t height) override {
    std::vector<interfaces::ZonefileSlot> out;
    for (const auto& s : m_slots) {
      if (s.block_height >= height) out.push_back(s);
    }
    return out;
  }
  util::Result<uint64_t> SlotCountBelow(uint32_t height) override {
    uint64_t n = 0;
    for (const auto& s : m_slots) n += s.block_height < height ? 1 : 0;
    return n;
  }
  util::Result<std::optional<uint32_t>> LastBlock() override {
    return std::optional<uint32_t>(m_slots.empty() ? 0 : m_slots.back().block_height);
  }
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) override {
    return std::optional<std::string>("bench" + std::to_string(height));
  }

 private:
  std::vector<interfaces::ZonefileSlot> m_slots;
};

// A zone file of about 4 KB: the usual header and URI record, then TXT padding.
std::string MakeZonefile(std::size_t i, std::mt19937_64& rng) {
  std::string name = "n" + std::to_string(i) + ".bench";
  std::string z = "$ORIGIN " + name + "\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t\"https://hub.example/" +
                   std::to_string(rng()) + "/profile.json\"\n";
  std::size_t target = 3072 + rng() % 2048;  // 3-5 KB, 4 KB on average
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  while (z.size() < target) {
    std::string s;
    for (int k = 0; k < 200; ++k) s.push_back(alphabet[rng() % 36]);
    z += "pad TXT \"" + s + "\"\n";
  }
  return z;
}

int Fail(const std::string& what) {
  std::cerr << "atlas_bench: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: atlas_bench DIR [COUNT]");
  std::string dir = argv[1];
  std::size_t count = argc > 2 ? std::stoul(argv[2]) : 100000;
  std::filesystem::create_directories(dir);
  spdlog::set_level(spdlog::level::warn);

  std::mt19937_64 rng(42);
  std::vector<std::string> files;
  std::vector<interfaces::ZonefileSlot> slots;
  uint64_t bytes = 0;
  std::ofstream raw(dir + "/raw.bin", std::ios::binary);
  for (std::size_t i = 0; i < count; ++i) {
    files.push_back(MakeZonefile(i, rng));
    bytes += files.back().size();
    raw << files.back();
    slots.push_back({"n" + std::to_string(i) + ".bench", atlas::ZonefileHash(files.back()), "tx" + std::to_string(i),
                     static_cast<uint32_t>(1 + i / 100), static_cast<uint32_t>(i % 100)});
  }
  raw.close();
  SyntheticIndex index(std::move(slots));

  auto peer_store = atlas::ZonefileStore::Open(dir + "/peers.db");
  if (!peer_store) return Fail(peer_store.error().message);
  for (std::size_t at = 0; at < files.size(); at += 1000) {
    std::vector<std::string> chunk(files.begin() + static_cast<long>(at),
                                   files.begin() + static_cast<long>(std::min(files.size(), at + 1000)));
    if (auto st = (*peer_store)->PutMany(chunk); !st) return Fail(st.error().message);
  }
  files.clear();

  atlas::AtlasSettings settings;
  settings.network = "regtest";
  settings.work_interval = milliseconds(200);
  settings.inventory_refresh = milliseconds(60000);
  settings.push = false;
  std::vector<std::unique_ptr<atlas::AtlasNode>> peers;
  std::vector<std::unique_ptr<net::HttpServer>> servers;
  std::vector<std::string> seeds;
  for (int p = 0; p < 3; ++p) {
    auto node = atlas::AtlasNode::Create(settings, **peer_store, index);
    if (!node) return Fail(node.error().message);
    auto* raw_node = node->get();
    net::ServerOptions opts;
    opts.threads = 1;
    opts.max_body_bytes = atlas::MAX_REQUEST_BYTES;
    auto server = net::HttpServer::Start(
        "127.0.0.1", 0, [raw_node](const net::Request& r) { return raw_node->Handle(r); }, opts);
    if (!server) return Fail(server.error().message);
    seeds.push_back("127.0.0.1:" + std::to_string((*server)->Port()));
    raw_node->SetSelf(seeds.back());
    peers.push_back(std::move(*node));
    servers.push_back(std::move(*server));
  }
  std::filesystem::remove(dir + "/fresh.db");
  auto fresh_store = atlas::ZonefileStore::Open(dir + "/fresh.db");
  if (!fresh_store) return Fail(fresh_store.error().message);
  atlas::AtlasSettings fresh_settings = settings;
  fresh_settings.seeds = seeds;
  fresh_settings.max_fetch_per_peer = 5000;
  auto fresh = atlas::AtlasNode::Create(fresh_settings, **fresh_store, index);
  if (!fresh) return Fail(fresh.error().message);
  std::cout << "ready " << count << " zone files, " << bytes << " bytes" << std::endl;

  auto cpu_seconds = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  // The setup wrote the peers' store and raw.bin (twice the corpus): let that
  // reach the disk first, so its writeback does not share the timed sync's cores.
  ::sync();
  std::cout << "start" << std::endl;
  const double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  (*fresh)->Start();
  while ((*fresh)->Stats().present < count) {
    std::this_thread::sleep_for(milliseconds(5));
    if (std::chrono::steady_clock::now() - start > std::chrono::minutes(10)) return Fail("sync did not finish");
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;
  (*fresh)->Stop();
  auto stored = (*fresh_store)->Count();
  if (!stored || *stored != count) return Fail("the fresh store does not hold every zone file");
  std::cout << "sync " << seconds << " " << bytes << " " << count << " " << cpu << std::endl;
  return 0;
}
