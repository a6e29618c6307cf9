// consensus_replay: replays runs of the original node (Blockstack Core 0.14.1,
// regtest test mode; test/data/real/consensus-logs-0.14.1/) through our parser
// and rules, and compares every block with what the original logged.
//
// Usage: consensus_replay [--env FILE] [--set VAR=VALUE]... [--verbose] LOG.json...
//
// Each run's transactions are placed where the original put them (the block and
// transaction index of the operation they became, or of the REJECT the node
// logged for them); a transaction the node never logged is left out and
// counted. The sender is read from the transaction's own first input (its key
// or redeem script) and checked against the sender the original logged. Then,
// block by block: the same operations accepted and rejected, the same canonical
// serialisation of each accepted one, the same ops hash and consensus hash; and
// at the end the run's final_verify consensus hash.
//
// The release's test-mode settings: first block from the run (256), the epoch
// schedule of that release (epoch 1 then 2, epoch 1 ending at 436650 unless the
// scenario set BLOCKSTACK_EPOCH_1_END_BLOCK), NAMESPACE_REVEAL_EXPIRE 144 (or
// the scenario's), a NAME_IMPORT keyring of 5 keys, 1-character namespaces at
// 41 BTC. A scenario's own "TEST ENV" settings come from --env (a JSON file
// {"scenarios": {NAME: {VAR: VALUE}}}, NAME the log's file name without .json)
// and --set. A setting the harness cannot apply is reported and fails the run.
//
// Prints one line per run ("ok NAME: N blocks, A accepted, R rejected ..." or
// "FAIL NAME: ...") and exits 1 when any run differs, 2 on a usage error.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <bitcoin/tx.h>
#include <bns/db/engine.h>
#include <bns/db/name_db.h>
#include <util/text.h>
#include <virtualchain/filter.h>

using namespace blockstack;
using nlohmann::json;

namespace {

constexpr uint32_t EPOCH_1_END_DEFAULT = 436650;  // the release's F-Day 2016 block
constexpr uint32_t TEST_NAMESPACE_REVEAL_EXPIRE = 144;
constexpr uint32_t TEST_IMPORT_KEYRING_SIZE = 5;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "op:name=len:value,name=len:value" -> "op:len:value,len:value", reading each
// value by its length (values hold commas and '=').
std::optional<std::string> StripFieldNames(const std::string& debug) {
  // The opcode is one character, and may itself be ':'.
  if (debug.size() < 2 || debug[1] != ':') return std::nullopt;
  std::string out = debug.substr(0, 2);
  std::size_t pos = 2;
  bool first = true;
  while (pos < debug.size()) {
    auto eq = debug.find('=', pos);
    auto len_end = eq == std::string::npos ? eq : debug.find(':', eq);
    if (len_end == std::string::npos) return std::nullopt;
    std::size_t len = 0;
    try {
      len = std::stoul(debug.substr(eq + 1, len_end - eq - 1));
    } catch (...) {
      return std::nullopt;
    }
    if (len_end + 1 + len > debug.size()) return std::nullopt;
    out += (first ? "" : ",") + debug.substr(eq + 1, len_end - eq) + debug.substr(len_end + 1, len);
    first = false;
    pos = len_end + 1 + len;
    if (pos < debug.size()) {
      if (debug[pos] != ',') return std::nullopt;
      ++pos;
    }
  }
  return out;
}

struct Settings {
  std::map<std::string, std::string> env;
};

// The release's rules under a scenario's settings; *problem names a setting
// that cannot be applied.
std::optional<bns::ops::Rules> RulesFor(const Settings& s, uint32_t first_block, std::string* problem) {
  bns::ops::Rules rules;
  rules.network = bitcoin::Network::Regtest;
  rules.first_block = first_block;
  rules.namespace_reveal_expire = TEST_NAMESPACE_REVEAL_EXPIRE;
  rules.import_keyring_size = TEST_IMPORT_KEYRING_SIZE;
  rules.test_mode = true;
  uint32_t epoch1_end = EPOCH_1_END_DEFAULT;
  std::optional<uint32_t> epoch2_lifetime;
  for (const auto& entry : s.env) {
    const auto& var = entry.first;
    const auto& value = entry.second;
    auto as_uint = [&](uint32_t& out) {
      auto n = util::ParseDecimal(value, UINT32_MAX);
      if (!n) *problem = var + "=" + value + " is not a number";
      out = static_cast<uint32_t>(n.value_or(0));
      return n.has_value();
    };
    if (var == "BLOCKSTACK_EPOCH_1_END_BLOCK") {
      if (!as_uint(epoch1_end)) return std::nullopt;
    } else if (var == "BLOCKSTACK_NAMESPACE_REVEAL_EXPIRE") {
      if (!as_uint(rules.namespace_reveal_expire)) return std::nullopt;
    } else if (var == "BLOCKSTACK_EPOCH_2_NAMESPACE_LIFETIME_MULTIPLIER") {
      uint32_t m = 0;
      if (!as_uint(m)) return std::nullopt;
      epoch2_lifetime = m;
    } else if (var == "BLOCKSTACK_EPOCH_1_PRICE_MULTIPLIER" || var == "BLOCKSTACK_EPOCH_2_PRICE_MULTIPLIER") {
      double multiplier = 0;
      try {
        multiplier = std::stod(value);
      } catch (...) {
        multiplier = -1;
      }
      if (multiplier != 1.0) {
        *problem = var + "=" + value + ": only the release's 1.0 is supported";
        return std::nullopt;
      }
    } else if (var.starts_with("BLOCKSTACK_ATLAS_")) {
      // Zone-file replication; no bearing on consensus.
    } else {
      *problem = "unsupported setting " + var;
      return std::nullopt;
    }
  }
  auto schedule = bns::EpochSchedule::FromRanges({{1, epoch1_end}, {2, bns::OPEN_ENDED}});
  if (!schedule) {
    *problem = schedule.error().message;
    return std::nullopt;
  }
  rules.epochs = *schedule;
  if (epoch2_lifetime) {
    auto with = rules.epochs.WithLifetimeMultiplier(2, *epoch2_lifetime);
    if (!with) {
      *problem = with.error().message;
      return std::nullopt;
    }
    rules.epochs = *with;
  }
  return rules;
}

struct RunResult {
  bool ok = true;
  std::vector<std::string> problems;
  std::size_t blocks = 0, accepted = 0, rejected = 0, unplaced = 0, serialized = 0;
  void Problem(std::string p) {
    ok = false;
    problems.push_back(std::move(p));
  }
};

RunResult Replay(const json& run, const Settings& settings, const std::string& dir) {
  RunResult r;
  const json& blocks = run.at("blocks");
  const json& fv = run.at("final_verify");
  const uint32_t first_block = fv.at("first_block").get<uint32_t>();
  std::string problem;
  auto rules = RulesFor(settings, first_block, &problem);
  if (!rules) {
    r.Problem(problem);
    return r;
  }

  // Where each transaction went, and the sender and outcome the original logged.
  struct Logged {
    uint32_t height = 0, vtxindex = 0;
    std::string opcode;
    bool accepted = false;
    std::string sender;
  };
  std::map<std::string, Logged> logged;  // by txid
  for (const auto& e : run.at("events")) {
    const json& d = e.at("data");
    if (!d.contains("txid")) continue;
    Logged l;
    l.height = e.at("height").get<uint32_t>();
    l.vtxindex = e.at("vtxindex").get<uint32_t>();
    l.opcode = e.at("opcode").get<std::string>();
    l.accepted = e.at("event") == "ACCEPT";
    l.sender = d.value("sender", "");
    logged[d.at("txid").get<std::string>()] = l;
  }
  std::map<uint32_t, std::vector<virtualchain::FilteredTx>> by_height;
  for (const auto& sent : run.at("sent_txs")) {
    const std::string txid = sent.at("txid").get<std::string>();
    auto it = logged.find(txid);
    if (it == logged.end()) {
      ++r.unplaced;
      continue;
    }
    util::Hash256 id;
    auto tx = bitcoin::ParseTransactionHex(sent.at("hex").get<std::string>(), &id);
    if (!tx) {
      r.Problem(txid + ": " + tx.error().message);
      continue;
    }
    if (id.ReversedHex() != txid) r.Problem(txid + ": the transaction hashes to " + id.ReversedHex());
    virtualchain::FilteredTx f;
    f.vtxindex = it->second.vtxindex;
    f.txid = id;
    f.tx = *tx;
    f.raw = bitcoin::SerializeTransaction(*tx, false);
    auto payload = virtualchain::BlockstackPayload(*tx, "id");
    if (!payload) {
      r.Problem(txid + ": no Blockstack payload found, but the original logged " + it->second.opcode);
      continue;
    }
    f.opcode = static_cast<char>((*payload)[0]);
    f.payload.assign(payload->begin() + 1, payload->end());
    // Senders: from each input's own signature script.
    for (const auto& in : tx->inputs) {
      auto signers = virtualchain::SignersOf(in);
      if (!signers) {
        r.Problem(txid + ": cannot read who signed an input");
        break;
      }
      f.senders.push_back(virtualchain::SenderOf(signers->spent_script, 0, rules->network));
    }
    if (f.senders.size() != tx->inputs.size()) continue;
    // A preorder's logged sender is its transaction's (other operations log the
    // record's sender: the owner, the recipient of an import).
    const bool sender_is_tx = it->second.opcode == "NAME_PREORDER" || it->second.opcode == "NAMESPACE_PREORDER";
    if (sender_is_tx && util::ToHex(f.senders[0].script_pubkey) != it->second.sender) {
      r.Problem(txid + ": sender " + util::ToHex(f.senders[0].script_pubkey) + ", the original logged " +
                it->second.sender);
    }
    if (!virtualchain::CompleteFilteredTx(f)) {
      r.Problem(txid + ": its senders are not single addresses");
      continue;
    }
    by_height[it->second.height].push_back(std::move(f));
  }

  auto db = bns::db::NameDb::Open(dir + "/names.db");
  if (!db) {
    r.Problem(db.error().message);
    return r;
  }
  bns::db::Engine engine(**db, *rules);
  interfaces::BlockCommitted committed;
  engine.SetOnCommitted([&](const interfaces::BlockCommitted& b) { committed = b; });

  uint32_t expected_height = first_block;
  for (const auto& b : blocks) {
    const uint32_t height = b.at("height").get<uint32_t>();
    // Blocks the log leaves out (none expected) are empty.
    for (; expected_height <= height; ++expected_height) {
      auto& txs = by_height[expected_height];
      std::sort(txs.begin(), txs.end(), [](const auto& a, const auto& c) { return a.vtxindex < c.vtxindex; });
      util::Hash256 hash;
      hash[0] = static_cast<uint8_t>(expected_height);
      hash[1] = static_cast<uint8_t>(expected_height >> 8);
      committed = {};
      auto st = engine.ProcessBlock(expected_height, hash, txs);
      if (!st) {
        r.Problem("block " + std::to_string(expected_height) + ": " + st.error().message);
        return r;
      }
    }
    ++r.blocks;
    const std::string at = "block " + std::to_string(height) + ": ";
    // Accepted and rejected, operation by operation.
    std::map<std::string, const interfaces::OpOutcome*> ours;
    for (const auto& op : committed.ops) ours[op.txid] = &op;
    for (const auto& [txid, l] : logged) {
      if (l.height != height) continue;
      auto it = ours.find(txid);
      if (it == ours.end()) {
        r.Problem(at + txid + " (" + l.opcode + ") is not an operation here; the original " +
                  (l.accepted ? "accepted" : "rejected") + " it");
        continue;
      }
      const auto& op = *it->second;
      // The original re-types a registration by the owner as NAME_RENEWAL only
      // once its checks pass; a refused one is logged as the NAME_REGISTRATION
      // it parsed as.
      const bool retyped = !l.accepted && op.opcode == "NAME_RENEWAL" && l.opcode == "NAME_REGISTRATION";
      if (op.opcode != l.opcode && !retyped) {
        r.Problem(at + txid + " is " + op.opcode + " here, " + l.opcode + " there");
      }
      if (op.accepted != l.accepted) {
        r.Problem(at + txid + " (" + l.opcode + ") " + (op.accepted ? "accepted" : "rejected: " + op.reason) +
                  " here; the original " + (l.accepted ? "accepted" : "rejected") + " it");
      }
      (l.accepted ? r.accepted : r.rejected) += 1;
    }
    for (const auto& op : committed.ops) {
      if (op.accepted && !logged.count(op.txid)) r.Problem(at + op.txid + " accepted here, never seen there");
    }
    // The serialised operations, in order.
    std::vector<std::string> ours_serialized;
    for (const auto& op : committed.ops) {
      if (op.accepted && !op.serialized.empty()) ours_serialized.push_back(op.serialized);
    }
    std::vector<std::string> theirs;
    for (const auto& d : b.at("serialized_ops_debug")) {
      auto s = StripFieldNames(d.get<std::string>());
      if (!s) {
        r.Problem(at + "cannot read the logged serialisation " + d.get<std::string>());
        continue;
      }
      theirs.push_back(*s);
    }
    if (ours_serialized != theirs) {
      for (std::size_t i = 0; i < std::max(ours_serialized.size(), theirs.size()); ++i) {
        std::string o = i < ours_serialized.size() ? ours_serialized[i] : "(none)";
        std::string t = i < theirs.size() ? theirs[i] : "(none)";
        if (o != t) r.Problem(at + "operation " + std::to_string(i) + " serialises as\n    " + o + "\n  not\n    " + t);
      }
    }
    r.serialized += theirs.size();
    auto snap = (*db)->SnapshotAt(height);
    if (!snap || !*snap) {
      r.Problem(at + "no snapshot stored");
      continue;
    }
    if ((*snap)->ops_hash != b.at("ops_hash")) {
      r.Problem(at + "ops hash " + (*snap)->ops_hash + ", the original's " + b.at("ops_hash").get<std::string>());
    }
    if ((*snap)->consensus_hash != b.at("consensus_hash")) {
      r.Problem(at + "consensus hash " + (*snap)->consensus_hash + ", the original's " +
                b.at("consensus_hash").get<std::string>());
    }
  }
  const uint32_t last = fv.at("end_block_exclusive").get<uint32_t>() - 1;
  auto ch = (*db)->ConsensusHashAt(last);
  if (!ch || !*ch || **ch != fv.at("expected_consensus_hash")) {
    r.Problem("final_verify: consensus hash at " + std::to_string(last) + " is " + (ch && *ch ? **ch : "missing") +
              ", the scenario expected " + fv.at("expected_consensus_hash").get<std::string>());
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"consensus_replay: replay runs of the original node through our rules and compare every block"};
  std::string env_file;
  std::vector<std::string> sets, logs;
  bool verbose = false;
  app.add_option("--env", env_file, "JSON {\"scenarios\": {NAME: {VAR: VALUE}}}: each run's test-mode settings")
      ->check(CLI::ExistingFile);
  app.add_option("--set", sets, "VAR=VALUE for every run (after --env)");
  app.add_flag("--verbose", verbose, "Print every difference, not only the first five of a run");
  app.add_option("LOG", logs, "Run logs (JSON)")->required()->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_level(spdlog::level::warn);
  json env = json::object();
  if (!env_file.empty()) {
    env = json::parse(ReadFile(env_file), nullptr, false);
    if (env.is_discarded() || !env.is_object()) {
      std::fprintf(stderr, "consensus_replay: %s is not JSON\n", env_file.c_str());
      return 2;
    }
  }
  const auto tmp = std::filesystem::temp_directory_path() / ("consensus_replay." + std::to_string(::getpid()));
  int failed = 0;
  std::size_t total_blocks = 0, total_accepted = 0, total_rejected = 0;
  for (const auto& path : logs) {
    const std::string name = std::filesystem::path(path).stem().string();
    Settings settings;
    if (env.contains("scenarios") && env["scenarios"].contains(name)) {
      for (const auto& [k, v] : env["scenarios"][name].items()) settings.env[k] = v.get<std::string>();
    }
    for (const auto& s : sets) {
      auto eq = s.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "consensus_replay: --set %s: expected VAR=VALUE\n", s.c_str());
        return 2;
      }
      settings.env[s.substr(0, eq)] = s.substr(eq + 1);
    }
    json run = json::parse(ReadFile(path), nullptr, false);
    RunResult r;
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    if (run.is_discarded()) {
      r.Problem("not JSON");
    } else {
      try {
        r = Replay(run, settings, tmp.string());
      } catch (const json::exception& e) {
        r.Problem(std::string("malformed log: ") + e.what());
      }
    }
    std::filesystem::remove_all(tmp);
    total_blocks += r.blocks;
    total_accepted += r.accepted;
    total_rejected += r.rejected;
    std::string config;
    for (const auto& [k, v] : settings.env) config += " " + k + "=" + v;
    if (r.ok) {
      std::printf("ok %s: %zu blocks, %zu accepted, %zu rejected, %zu serialised ops, final hash matches%s%s\n",
                  name.c_str(), r.blocks, r.accepted, r.rejected, r.serialized,
                  r.unplaced ? (", " + std::to_string(r.unplaced) + " transaction(s) never logged left out").c_str()
                             : "",
                  config.empty() ? "" : (" [" + config.substr(1) + "]").c_str());
      continue;
    }
    ++failed;
    std::printf("FAIL %s: %zu difference(s)%s\n", name.c_str(), r.problems.size(),
                config.empty() ? "" : (" [" + config.substr(1) + "]").c_str());
    for (std::size_t i = 0; i < r.problems.size() && (verbose || i < 5); ++i) {
      std::printf("  %s\n", r.problems[i].c_str());
    }
  }
  std::printf("%zu run(s), %d differing; %zu blocks, %zu accepted and %zu rejected operations compared\n", logs.size(),
              failed, total_blocks, total_accepted, total_rejected);
  return failed ? 1 : 0;
}
