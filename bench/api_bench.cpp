// Serves the REST API over a synthetic name database for bench/api_bench.sh:
// writes N names (namespace "bench", never expiring) into a fresh database, starts
// the same Api and HTTP server blockstackd runs, writes every name's
// GET /v1/names/{name} answer as a static file for nginx, prints "ready PORT",
// and serves until standard input closes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <api/api.h>
#include <atlas/zonefile_store.h>
#include <bns/db/name_db.h>
#include <crypto/hash.h>

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
  std::string db_path = dir + "/names.db";
  std::filesystem::remove(db_path);

  {
    auto db = bns::db::NameDb::Open(db_path);
    if (!db) return Die(db.error().message);
    const uint32_t per_block = 10000;
    uint32_t height = 100;
    for (uint32_t done = 0; done < count || height == 100; ++height) {
      if (auto st = (*db)->BeginBlock(height); !st) return Die(st.error().message);
      if (height == 100) {
        bns::ops::Effect e;
        bns::NamespaceRecord ns;
        ns.namespace_id = "bench";
        ns.version = 1;
        ns.address = "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8";
        ns.recipient_address = ns.address;
        ns.block_number = ns.reveal_block = ns.ready_block = 100;
        ns.op = "!";
        ns.lifetime = bns::NAMESPACE_LIFE_INFINITE;
        ns.coeff = 1;
        ns.base = 2;
        ns.buckets.fill(1);
        e.ns = ns;
        if (auto st = (*db)->Apply(e); !st) return Die(st.error().message);
      }
      for (uint32_t i = 0; i < per_block && done < count; ++i, ++done) {
        bns::ops::Effect e;
        bns::NameRecord r;
        r.name = "n" + std::to_string(done) + ".bench";
        r.namespace_id = "bench";
        r.value_hash = crypto::Hash160Of(util::AsBytes(r.name)).Hex();
        r.sender = "76a914" + std::string(40, 'a') + "88ac";
        r.address = "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8";
        r.block_number = r.first_registered = r.last_renewed = height;
        r.namespace_block_number = 100;
        r.op = ":";
        r.txid = crypto::Sha256(util::AsBytes(r.name)).Hex();
        r.last_creation_op = "?";
        e.name = r;
        if (auto st = (*db)->Apply(e); !st) return Die(st.error().message);
      }
      bns::db::Snapshot snap;
      snap.block_id = height;
      snap.block_hash = std::string(64, '0');
      snap.consensus_hash = crypto::Sha256(util::AsBytes(std::to_string(height))).Hex().substr(0, 32);
      snap.ops_hash = std::string(64, '0');
      if (auto st = (*db)->EndBlock(snap); !st) return Die(st.error().message);
    }
  }

  auto zonefiles = atlas::ZonefileStore::Open(dir + "/zonefiles.db");
  if (!zonefiles) return Die(zonefiles.error().message);
  api::ApiSettings settings;
  settings.db_path = db_path;
  settings.rules.network = bitcoin::Network::Regtest;
  settings.rules.epochs = bns::EpochSchedule::Single(3);
  settings.rules.first_block = 100;
  settings.rules.test_mode = true;
  auto made = api::Api::Create(settings, **zonefiles);
  if (!made) return Die(made.error().message);
  auto& rest = **made;

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

  auto server = net::HttpServer::Start(
      "127.0.0.1", port, [&rest](const net::Request& req) { return rest.Handle(req); }, rest.ServerOptions());
  if (!server) return Die(server.error().message);
  std::cout << "ready " << (*server)->Port() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  (*server)->Stop();
  return 0;
}
