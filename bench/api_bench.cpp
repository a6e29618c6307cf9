// Serves the REST API over a synthetic name database for bench/api_bench.sh:
// writes N names (namespace "bench", never expiring) into a fresh database, starts
// the same Api and HTTP server blockstackd runs, writes every name's
// GET /v1/names/{name} answer as a static file for nginx, prints "ready PORT",
// and serves until standard input closes.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include <api/api.h>

#include "bench_util.h"
#include "synthetic_names.h"

using namespace blockstack;

namespace {

int Die(const std::string& what) {
  std::fprintf(stderr, "api_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Die("usage: api_bench DIR NAMES [PORT]");
  std::string dir = argv[1];
  uint32_t count = static_cast<uint32_t>(std::stoul(argv[2]));
  uint16_t port = argc > 3 ? static_cast<uint16_t>(std::stoul(argv[3])) : 0;
  std::filesystem::create_directories(dir + "/static/v1/names");

  auto made = bench::OpenSyntheticApi(dir, count);
  if (!made) return Die(made.error().message);
  auto& rest = *made->api;

  // The static copies nginx serves: byte-identical answers.
  for (uint32_t i = 0; i < count; ++i) {
    std::string name = "n" + std::to_string(i) + ".bench";
    net::Request req;
    req.method = "GET";
    req.path = req.target = "/v1/names/" + name;
    auto res = rest.Handle(req);
    if (res.status != 200) return Die("GET " + req.path + " answered " + std::to_string(res.status));
    std::ofstream(dir + "/static/v1/names/" + name, std::ios::binary) << res.body;
  }

  // Measured once every name's answer fields are in memory, as on a node that has
  // been up for a while.
  while (!rest.NameTableStats().current) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto table = rest.NameTableStats();
  std::fprintf(stderr, "api_bench: name table: %zu names, %.1f MB\n", table.names,
               static_cast<double>(table.memory_bytes) / 1e6);

  auto server = net::HttpServer::Start(
      "127.0.0.1", port, [&rest](const net::Request& req) { return rest.Handle(req); }, rest.ServerOptions());
  if (!server) return Die(server.error().message);
  bench::ServeUntilStdinCloses((*server)->Port());
  (*server)->Stop();
  return 0;
}
