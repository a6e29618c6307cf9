// The DNS front end over a synthetic name database, for bench/dns_bench.sh: writes
// NAMES names n{i}.bench whose zone files hold an A and a URI record, starts the
// DnsServer blockstackd runs, writes the same records as one zone file for NSD and
// a query file for dnsperf (70% A of a name, 20% its URI record, 10% names that do
// not exist), prints "ready PORT", and serves until standard input closes.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <atlas/zonefile_store.h>
#include <crypto/hash.h>
#include <dns/server.h>
#include <fmt/core.h>

#include "bench_util.h"
#include "synthetic_names.h"

using namespace blockstack;

namespace {

int Die(const std::string& what) {
  std::fprintf(stderr, "dns_bench: %s\n", what.c_str());
  return 1;
}

std::string Address(uint32_t i) { return fmt::format("10.{}.{}.{}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff); }
std::string Url(uint32_t i) { return fmt::format("https://gaia.example.org/hub/n{}/profile.json", i); }

std::string Zonefile(uint32_t i) {
  return fmt::format("$ORIGIN n{}.bench\n$TTL 3600\n@ IN A {}\n_http._tcp IN URI 10 1 \"{}\"\n", i, Address(i), Url(i));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Die("usage: dns_bench DIR NAMES [THREADS]");
  const std::string dir = argv[1];
  const uint32_t count = static_cast<uint32_t>(std::stoul(argv[2]));
  const std::size_t threads = argc > 3 ? std::stoul(argv[3]) : 2;
  std::filesystem::create_directories(dir + "/nsd");
  const std::string db_path = dir + "/names.db";
  if (auto st = bench::WriteSyntheticNames(db_path, count, [](uint32_t i) {
        return crypto::Hash160Of(util::AsBytes(Zonefile(i))).Hex();
      });
      !st) {
    return Die(st.error().message);
  }
  std::filesystem::remove(dir + "/zonefiles.db");
  auto zonefiles = atlas::ZonefileStore::Open(dir + "/zonefiles.db");
  if (!zonefiles) return Die(zonefiles.error().message);
  std::vector<std::string> batch;
  for (uint32_t i = 0; i < count; ++i) {
    batch.push_back(Zonefile(i));
    if (batch.size() == 10000 || i + 1 == count) {
      if (auto st = (*zonefiles)->PutMany(batch); !st) return Die(st.error().message);
      batch.clear();
    }
  }

  // NSD's copy: the same records in one zone, with the SOA and NS we answer.
  {
    std::ofstream zone(dir + "/nsd/bench.zone");
    zone << "$ORIGIN bench.\n$TTL 3600\n@ 60 IN SOA ns.bench. hostmaster.bench. 100 3600 600 86400 60\n"
         << "@ 3600 IN NS ns.bench.\n";
    for (uint32_t i = 0; i < count; ++i) {
      zone << "n" << i << " 3600 IN A " << Address(i) << "\n_http._tcp.n" << i << " 3600 IN URI 10 1 \"" << Url(i)
           << "\"\n";
    }
  }
  {
    std::ofstream queries(dir + "/queries");
    std::mt19937 rng(42);
    std::uniform_int_distribution<uint32_t> pick(0, count - 1);
    for (int q = 0; q < 200000; ++q) {
      uint32_t i = pick(rng);
      int kind = q % 10;
      if (kind < 7) queries << "n" << i << ".bench A\n";
      else if (kind < 9) queries << "_http._tcp.n" << i << ".bench URI\n";
      else queries << "missing" << i << ".bench A\n";
    }
  }

  dns::DnsSettings settings;
  settings.listen = "127.0.0.1:0";
  settings.threads = threads;
  settings.zones.db_path = db_path;
  settings.zones.rules = bench::SyntheticRules();
  auto server = dns::DnsServer::Start(settings, **zonefiles, 100 + count / 10000 + 1);
  if (!server) return Die(server.error().message);
  // Measured once every name is compiled in memory, as on a node that has been up.
  const auto started = std::chrono::steady_clock::now();
  while (!(*server)->TableStats().current) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto stats = (*server)->TableStats();
  std::fprintf(stderr, "dns_bench: %zu names compiled in %.1f s, %.1f MB\n", stats.names,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
               static_cast<double>(stats.memory_bytes) / 1e6);
  bench::ServeUntilStdinCloses((*server)->Port());
  (*server)->Stop();
  return 0;
}
