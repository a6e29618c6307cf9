#include <node/query.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include <bns/db/name_db.h>
#include <bns/records_json.h>
#include <node/command.h>

namespace blockstack::node {

using nlohmann::json;

int RunQuery(int argc, char** argv) {
  CLI::App app{"blockstackd query: print records of a node's name database as JSON"};
  DataDirOption data_dir_option(app);
  app.require_subcommand(1);
  std::string arg;
  uint32_t height = 0;
  auto* name = app.add_subcommand("name", "A name's current record");
  name->add_option("NAME", arg)->required();
  auto* name_at = app.add_subcommand("name-at", "A name's record as of a height");
  name_at->add_option("NAME", arg)->required();
  name_at->add_option("HEIGHT", height)->required();
  auto* ns = app.add_subcommand("namespace", "A namespace record");
  ns->add_option("ID", arg)->required();
  auto* history = app.add_subcommand("history", "A name's or namespace's history, newest first");
  history->add_option("NAME", arg)->required();
  auto* consensus = app.add_subcommand("consensus", "The consensus hash at a height (default: the last block)");
  std::optional<uint32_t> ch_height;
  consensus->add_option("HEIGHT", ch_height);
  auto* range = app.add_subcommand("consensus-range", "Height, block hash and consensus hash of each block in [FROM, TO]");
  uint32_t from = 0, to = 0;
  range->add_option("FROM", from)->required();
  range->add_option("TO", to)->required();
  auto* ops = app.add_subcommand("ops", "The operations seen at a height, accepted or rejected with a reason");
  ops->add_option("HEIGHT", height)->required();
  auto* owned = app.add_subcommand("names-owned", "Names whose owner address is ADDRESS");
  owned->add_option("ADDRESS", arg)->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto data_dir_given = data_dir_option.Resolve("blockstackd query");
  if (!data_dir_given) return 2;
  const std::string& data_dir = *data_dir_given;

  auto db = bns::db::NameDb::Open(data_dir + "/blockstack.db", /*read_only=*/true);
  if (!db) {
    std::cerr << "error: " << db.error().message << "\n";
    return 4;
  }
  auto fail = [](const util::Error& e) {
    std::cerr << "error: " << e.message << "\n";
    return e.code == util::ErrorCode::NotFound ? 4 : 1;
  };
  json out;
  if (name->parsed() || name_at->parsed()) {
    auto rec = name->parsed() ? (*db)->GetName(arg) : (*db)->GetNameAt(arg, height);
    if (!rec) return fail(rec.error());
    if (!*rec) return fail({util::ErrorCode::NotFound, "no such name " + arg});
    out = bns::ToJson(**rec);
  } else if (ns->parsed()) {
    auto rec = (*db)->GetNamespace(arg);
    if (!rec) return fail(rec.error());
    if (!*rec) return fail({util::ErrorCode::NotFound, "no such namespace " + arg});
    out = bns::ToJson(**rec);
  } else if (history->parsed()) {
    auto rows = (*db)->History(arg, 0, 1000);
    if (!rows) return fail(rows.error());
    out = json::array();
    for (const auto& r : *rows) {
      out.push_back({{"block_id", r.block_id}, {"vtxindex", r.vtxindex}, {"txid", r.txid}, {"op", r.op},
                     {"opcode", r.opcode}, {"record", json::parse(r.data, nullptr, false)}});
    }
  } else if (consensus->parsed()) {
    auto last = (*db)->LastBlock();
    if (!last) return fail(last.error());
    if (!*last) return fail({util::ErrorCode::NotFound, "nothing indexed yet"});
    uint32_t h = ch_height.value_or(**last);
    auto snap = (*db)->SnapshotAt(h);
    if (!snap) return fail(snap.error());
    if (!*snap) return fail({util::ErrorCode::NotFound, "no block " + std::to_string(h) + " indexed"});
    out = {{"block_height", h}, {"consensus_hash", (*snap)->consensus_hash}, {"ops_hash", (*snap)->ops_hash},
           {"block_hash", (*snap)->block_hash}, {"last_block", **last}};
  } else if (range->parsed()) {
    out = json::array();
    for (uint32_t h = from; h <= to && h >= from; ++h) {
      auto snap = (*db)->SnapshotAt(h);
      if (!snap) return fail(snap.error());
      if (!*snap) break;
      out.push_back({{"block_height", h}, {"block_hash", (*snap)->block_hash}, {"consensus_hash", (*snap)->consensus_hash}});
    }
  } else if (ops->parsed()) {
    auto rows = (*db)->OpsAt(height);
    if (!rows) return fail(rows.error());
    out = json::array();
    for (const auto& r : *rows) {
      out.push_back({{"txid", r.txid}, {"vtxindex", r.vtxindex}, {"opcode", r.opcode}, {"accepted", r.accepted},
                     {"reason", r.reason}});
    }
  } else if (owned->parsed()) {
    // The address is read against the database's own network.
    auto network_name = (*db)->GetMeta("network");
    if (!network_name) return fail(network_name.error());
    auto network = bitcoin::ParseNetwork(network_name->value_or(""));
    if (!network) return fail({util::ErrorCode::NotFound, "the database records no network"});
    auto rows = (*db)->NamesOwnedByAddress(arg, bitcoin::Params(*network));
    if (!rows) return fail(rows.error());
    out = json::array();
    for (const auto& r : *rows) out.push_back(r.name);
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace blockstack::node
