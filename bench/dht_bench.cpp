// DHT records across eight nodes on loopback: COUNT records of 4 KB are put through
// random nodes of our DhtNode network (hash-keyed, store policy, permanent puts),
// then each is read from another random node (hash checked). The same is done on
// eight plain OpenDHT nodes of the same library version with default values and
// no checks: the peer. Prints puts/s and get p50/p99 for both, and the ratios.
//
// Usage: dht_bench [COUNT]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <opendht.h>

#include <crypto/hash.h>
#include <dht/dht_node.h>

#include "bench_util.h"

namespace bsk = blockstack;
using Clock = std::chrono::steady_clock;

namespace {

std::string H(std::string_view d) { return bsk::crypto::Hash160Of(bsk::util::AsBytes(d)).Hex(); }

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }


struct Figures {
  double puts_per_s = 0, p50 = 0, p99 = 0;
  std::size_t misses = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::stoul(argv[1]) : 1000;
  std::mt19937_64 rng(7);
  std::vector<std::string> records;
  for (std::size_t i = 0; i < count; ++i) {
    std::string r(4096, '\0');
    for (auto& c : r) c = static_cast<char>('a' + rng() % 26);
    records.push_back(std::move(r));
  }

  // Ours.
  Figures ours;
  {
    std::vector<std::unique_ptr<bsk::dht::DhtNode>> nodes;
    bsk::dht::DhtSettings s;
    s.network_id = bsk::dht::NetworkIdFor("regtest") + 200;
    for (int i = 0; i < 8; ++i) {
      s.bootstrap.clear();
      if (i > 0) s.bootstrap.push_back("127.0.0.1:" + std::to_string(nodes.back()->Port()));
      auto n = bsk::dht::DhtNode::Start(s, H);
      if (!n) return std::fprintf(stderr, "%s\n", n.error().message.c_str()), 1;
      nodes.push_back(std::move(*n));
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < count; ++i) {
      if (!nodes[rng() % 8]->Put(records[i])) ++ours.misses;
    }
    ours.puts_per_s = static_cast<double>(count) / (Ms(t0, Clock::now()) / 1000);
    std::vector<double> lat;
    for (std::size_t i = 0; i < count; ++i) {
      auto a = Clock::now();
      auto got = nodes[rng() % 8]->Get(H(records[i]));
      lat.push_back(Ms(a, Clock::now()));
      if (!got || !*got || **got != records[i]) ++ours.misses;
    }
    ours.p50 = bsk::bench::Percentile(lat, 0.5);
    ours.p99 = bsk::bench::Percentile(lat, 0.99);
    for (auto& n : nodes) n->Stop();
  }

  // Plain OpenDHT.
  Figures plain;
  {
    std::vector<std::unique_ptr<::dht::DhtRunner>> nodes;
    for (int i = 0; i < 8; ++i) {
      auto n = std::make_unique<::dht::DhtRunner>();
      ::dht::DhtRunner::Config config;
      config.dht_config.node_config.network = static_cast<::dht::NetId>(bsk::dht::NetworkIdFor("regtest") + 300);
      config.threaded = true;
      config.bind4 = ::dht::SockAddr::resolve("127.0.0.1", "0").front();
      n->run(0, config);
      if (i > 0) n->bootstrap("127.0.0.1", std::to_string(nodes.back()->getBoundPort()));
      nodes.push_back(std::move(n));
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < count; ++i) {
      std::promise<bool> done;
      auto f = done.get_future();
      nodes[rng() % 8]->put(::dht::InfoHash(H(records[i])), ::dht::Value(::dht::Blob(records[i].begin(), records[i].end())),
                            [&done](bool ok) { done.set_value(ok); });
      if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready || !f.get()) ++plain.misses;
    }
    plain.puts_per_s = static_cast<double>(count) / (Ms(t0, Clock::now()) / 1000);
    std::vector<double> lat;
    for (std::size_t i = 0; i < count; ++i) {
      auto a = Clock::now();
      std::promise<void> done;
      auto f = done.get_future();
      bool found = false;
      nodes[rng() % 8]->get(::dht::InfoHash(H(records[i])),
                            [&](const std::vector<std::shared_ptr<::dht::Value>>& vs) {
                              found = found || !vs.empty();
                              return false;
                            },
                            [&done](bool) { done.set_value(); });
      f.wait_for(std::chrono::seconds(10));
      lat.push_back(Ms(a, Clock::now()));
      if (!found) ++plain.misses;
    }
    plain.p50 = bsk::bench::Percentile(lat, 0.5);
    plain.p99 = bsk::bench::Percentile(lat, 0.99);
    for (auto& n : nodes) {
      n->shutdown({}, true);
      n->join();
    }
  }
  std::printf("%-14s %10s %12s %12s %8s\n", "", "puts/s", "get p50 ms", "get p99 ms", "misses");
  std::printf("%-14s %10.1f %12.2f %12.2f %8zu\n", "ours", ours.puts_per_s, ours.p50, ours.p99, ours.misses);
  std::printf("%-14s %10.1f %12.2f %12.2f %8zu\n", "plain OpenDHT", plain.puts_per_s, plain.p50, plain.p99, plain.misses);
  std::printf("ratio ours/plain: puts %.2fx, get p50 %.2fx\n", ours.puts_per_s / plain.puts_per_s, ours.p50 / plain.p50);
  std::printf("%zu records of 4 KB, 8 nodes on loopback. Rerun: build/release/bench/dht_bench [COUNT]\n", count);
  return 0;
}
