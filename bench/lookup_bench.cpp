// Lookups against plain HTTP: COUNT resolutions (name -> record -> zone file ->
// profile, hash and signature checked) through the client library's Resolver,
// against a blockstackd node and a Gaia hub, with warm caches and kept-alive
// connections; then COUNT plain GETs of the same profile files from nginx with the
// same HTTP client. Prints p50/p99 of both and the ratio.
//
// Usage: lookup_bench NODE_URL COUNT < lines "NAME NGINX_URL_OF_ITS_PROFILE"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <client/node_client.h>
#include <client/resolver.h>
#include <client/url_fetcher.h>

#include "bench_util.h"

using namespace blockstack;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: lookup_bench NODE_URL COUNT < 'NAME NGINX_URL' lines\n";
    return 2;
  }
  const std::size_t count = std::stoul(argv[2]);
  std::vector<std::pair<std::string, std::string>> targets;
  std::string name, url;
  while (std::cin >> name >> url) targets.emplace_back(name, url);
  if (targets.empty()) return 2;

  auto node = client::NodeClient::Create(argv[1]);
  if (!node) {
    std::cerr << node.error().message << "\n";
    return 1;
  }
  client::UrlFetcher storage;
  client::Resolver resolver(**node, storage);
  client::UrlFetcher plain("nginx");
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::time_point a, clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };

  // Warm up both, and check that nginx serves the very bytes the hub does.
  for (const auto& [n, u] : targets) {
    for (int i = 0; i < 20; ++i) {
      auto out = resolver.Lookup(n);
      if (auto* e = std::get_if<client::LookupError>(&out)) {
        std::cerr << "lookup " << n << " failed: " << e->message << "\n";
        return 1;
      }
      auto res = plain.Get(u);
      if (!res || res->status != 200) {
        std::cerr << "nginx GET " << u << " failed\n";
        return 1;
      }
      auto hub = storage.Get(std::get<client::LookupResult>(out).profile_url);
      if (!hub || hub->body != res->body) {
        std::cerr << "nginx and the hub serve different bytes for " << n << "\n";
        return 1;
      }
    }
  }

  std::vector<double> lookups;
  std::vector<double> gets;
  lookups.reserve(count);
  gets.reserve(count);
  auto start = clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto t0 = clock::now();
    auto out = resolver.Lookup(targets[i % targets.size()].first);
    auto t1 = clock::now();
    if (!std::holds_alternative<client::LookupResult>(out)) {
      std::cerr << "lookup failed during the run\n";
      return 1;
    }
    lookups.push_back(ms(t0, t1));
  }
  double lookup_total = ms(start, clock::now());
  start = clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto t0 = clock::now();
    auto res = plain.Get(targets[i % targets.size()].second);
    auto t1 = clock::now();
    if (!res || res->status != 200) {
      std::cerr << "nginx GET failed during the run\n";
      return 1;
    }
    gets.push_back(ms(t0, t1));
  }
  double get_total = ms(start, clock::now());
  std::printf("lookups %zu p50 %.3f p99 %.3f total_s %.2f\n", count, bench::Percentile(lookups, 0.5),
              bench::Percentile(lookups, 0.99), lookup_total / 1000);
  std::printf("nginx %zu p50 %.3f p99 %.3f total_s %.2f\n", count, bench::Percentile(gets, 0.5), bench::Percentile(gets, 0.99),
              get_total / 1000);
  return 0;
}
