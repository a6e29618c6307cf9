// Serves the explorer over a synthetic name database for bench/explorer_bench.sh:
// writes N names (namespace "bench") into a fresh database, starts the API and the
// explorer as blockstackd mounts them, writes the name pages of the first K names
// as static files for nginx, prints "ready PORT", and serves until standard input
// closes. The explorer is given a fixed clock so its pages and the copies match.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <api/api.h>
#include <explorer/explorer.h>
#include <net/router.h>

#include "bench_util.h"
#include "synthetic_names.h"

using namespace blockstack;

namespace {

int Die(const std::string& what) {
  std::fprintf(stderr, "explorer_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return Die("usage: explorer_bench DIR NAMES PAGES");
  const std::string dir = argv[1];
  const auto count = static_cast<uint32_t>(std::stoul(argv[2]));
  const auto pages = static_cast<uint32_t>(std::stoul(argv[3]));
  std::filesystem::create_directories(dir + "/static/explorer/names");
  auto made = bench::OpenSyntheticApi(dir, count);
  if (!made) return Die(made.error().message);
  auto& rest = *made->api;
  explorer::ExplorerSettings ex_settings;
  ex_settings.now = [] { return std::time_t{1800000000}; };
  explorer::Explorer ex([&rest](const net::Request& req) { return rest.Handle(req); }, ex_settings);
  net::Router router;
  router.Mount("/explorer", ex.Routes());
  router.SetDefault([&rest](const net::Request& req) { return rest.HandleRouted(req); });

  while (!rest.NameTableStats().current) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (uint32_t i = 0; i < pages; ++i) {
    const std::string name = "n" + std::to_string(i) + ".bench";
    net::Request req;
    req.method = "GET";
    req.path = req.target = "/explorer/names/" + name;
    auto res = router.Dispatch(req).response;
    if (res.status != 200) return Die("GET " + req.path + " answered " + std::to_string(res.status));
    std::ofstream(dir + "/static/explorer/names/" + name, std::ios::binary) << res.body;
  }
  auto server = net::HttpServer::Start(
      "127.0.0.1", 0, [&router](const net::Request& req) { return router.Dispatch(req).response; },
      rest.ServerOptions());
  if (!server) return Die(server.error().message);
  bench::ServeUntilStdinCloses((*server)->Port());
  (*server)->Stop();
  return 0;
}
