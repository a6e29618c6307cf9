#include <node/verify.h>

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <iostream>
#include <map>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <bitcoin/address.h>
#include <bns/records_codec.h>
#include <crypto/hash.h>
#include <db/sqlite.h>
#include <node/command.h>
#include <virtualchain/consensus.h>

namespace blockstack::node {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr std::size_t MAX_PROBLEMS_PER_KIND = 20;

// Runs SQLite's own check of the file; what it reports are problems.
void CheckFile(db::Sqlite& db, const std::string& path, bool quick, VerifyReport& report) {
  auto s = db.Prepare(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check");
  if (!s) {
    report.problems.push_back({path, std::nullopt, "cannot be checked: " + s.error().message});
    return;
  }
  std::size_t listed = 0;
  for (;;) {
    auto row = (*s)->Step();
    if (!row) {
      report.problems.push_back({path, std::nullopt, "damaged: " + row.error().message});
      break;
    }
    if (!*row) break;
    std::string line = (*s)->Text(0);
    if (line != "ok" && listed++ < MAX_PROBLEMS_PER_KIND)
      report.problems.push_back({path, std::nullopt, "damaged: " + line});
  }
  (*s)->Reset();
}

// Each block's consensus hash against the one recomputed from its ops hash and
// the earlier consensus hashes it commits to.
util::Status CheckConsensus(db::Sqlite& db, const std::string& path, uint32_t window, VerifyReport& report) {
  BS_TRY(auto* meta, db.Prepare("SELECT value FROM meta WHERE key = 'first_block'"));
  BS_TRY(bool has_first, meta->Step());
  if (!has_first) {
    meta->Reset();
    return util::Ok();  // nothing indexed yet
  }
  const std::string first_text = meta->Text(0);
  meta->Reset();
  uint32_t first_block = 0;
  auto [end, ec] = std::from_chars(first_text.data(), first_text.data() + first_text.size(), first_block);
  if (ec != std::errc{} || end != first_text.data() + first_text.size()) {
    report.problems.push_back({path, std::nullopt, "its first block '" + first_text + "' is not a number"});
    return util::Ok();
  }
  std::map<uint32_t, std::pair<std::string, std::string>> snaps;  // height -> (consensus hash, ops hash)
  BS_TRY(auto* s, db.Prepare("SELECT block_id, consensus_hash, ops_hash FROM snapshots ORDER BY block_id"));
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& r) {
    snaps[static_cast<uint32_t>(r.Int(0))] = {r.Text(1), r.Text(2)};
  }));
  if (snaps.empty()) return util::Ok();
  uint32_t last = snaps.rbegin()->first;
  uint32_t from = window == 0 || last - first_block + 1 <= window ? first_block : last - window + 1;
  for (uint32_t h = from; h <= last; ++h) {
    auto it = snaps.find(h);
    if (it == snaps.end()) {
      report.problems.push_back({path, h, "no snapshot stored for block " + std::to_string(h)});
      return util::Ok();
    }
    std::vector<std::string> prev;
    bool complete = true;
    for (uint32_t p : virtualchain::PreviousHashHeights(h, first_block)) {
      auto pit = snaps.find(p);
      if (pit == snaps.end()) {
        complete = false;
        break;
      }
      prev.push_back(pit->second.first);
    }
    ++report.blocks_checked;
    const auto& [stored, ops_hash] = it->second;
    std::string recomputed =
        complete && util::IsLowerHex(ops_hash, 64) ? virtualchain::ConsensusHash(prev, ops_hash) : "";
    if (recomputed != stored) {
      report.problems.push_back({path, h,
                                 "block " + std::to_string(h) + ": stored consensus hash " + stored +
                                     " is not the one its ops hash and "
                                     "the earlier consensus hashes give (" +
                                     (recomputed.empty() ? "they are damaged" : recomputed) + ")"});
      return util::Ok();  // later blocks commit to this one: the first is what matters
    }
  }
  return util::Ok();
}

// Owner addresses against their checksums; with decode, each stored record is
// decoded and its own copy of the address checked too.
util::Status CheckNames(db::Sqlite& db, const std::string& path, bool decode, VerifyReport& report) {
  BS_TRY(auto* s, db.Prepare(decode ? "SELECT name, address, data FROM name_records"
                                    : "SELECT name, address, NULL FROM name_records"));
  std::size_t listed = 0;
  auto bad_address = [](const std::string& a) { return !a.empty() && !bitcoin::DecodeAddress(a); };
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& r) {
    ++report.names_checked;
    std::string name = r.Text(0), address = r.Text(1);
    std::string problem;
    if (bad_address(address)) {
      problem = "name " + name + ": owner address " + address + " fails its checksum";
    } else if (decode) {
      util::Bytes stored = r.Blob(2);
      auto record =
          bns::DecodeNameRecord(std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()));
      if (!record) {
        problem = "name " + name + ": its stored record cannot be read: " + record.error().message;
      } else if (bad_address(record->address)) {
        problem = "name " + name + ": the owner address in its record, " + record->address + ", fails its checksum";
      }
    }
    if (!problem.empty() && listed++ < MAX_PROBLEMS_PER_KIND) report.problems.push_back({path, std::nullopt, problem});
  }));
  return util::Ok();
}

// Every stored zone file read back from the pack and hashed.
util::Status CheckZonefiles(db::Sqlite& db, const std::string& path, VerifyReport& report) {
  const std::string pack = path + ".pack";
  int fd = ::open(pack.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    report.problems.push_back({pack, std::nullopt, "cannot be opened"});
    return util::Ok();
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  BS_TRY(auto* s, db.Prepare("SELECT hash, offset, length FROM zonefile_places"));
  std::size_t listed = 0;
  std::string buf;
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& r) {
    ++report.zonefiles_checked;
    util::Bytes key = r.Blob(0);
    auto offset = r.Int(1), length = r.Int(2);
    buf.resize(static_cast<std::size_t>(std::max<int64_t>(0, std::min<int64_t>(length, 1 << 20))));
    ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    bool ok = n == static_cast<ssize_t>(buf.size()) && static_cast<int64_t>(buf.size()) == length &&
              crypto::Hash160Of(util::AsBytes(buf)).Hex() == util::ToHex(key);
    if (!ok && listed++ < MAX_PROBLEMS_PER_KIND) {
      report.problems.push_back({pack, std::nullopt,
                                 "zone file " + util::ToHex(key) +
                                     " does not hash to its key (the node drops and refetches it "
                                     "when it is read)"});
    }
  }));
  return util::Ok();
}

}  // namespace

util::Result<VerifyReport> Verify(const VerifyOptions& options) {
  VerifyReport report;
  std::error_code ec;
  if (!std::filesystem::is_directory(options.data_dir, ec)) {
    return Fail(ErrorCode::IoError, "no data directory at " + options.data_dir);
  }
  const std::string names = options.data_dir + "/blockstack.db";
  if (!std::filesystem::exists(names, ec)) {
    report.problems.push_back({names, std::nullopt, "missing: the name database is not there"});
    return report;
  }
  for (const char* file : {"blockstack.db", "zonefiles.db", "subdomains.db"}) {
    const std::string path = options.data_dir + "/" + file;
    if (!std::filesystem::exists(path, ec)) continue;
    auto db = db::Sqlite::Open(path, true);
    if (!db) {
      report.problems.push_back({path, std::nullopt, "cannot be opened: " + db.error().message});
      continue;
    }
    // The rows are checked even when the file's structure is damaged: the first
    // bad block is still named.
    CheckFile(*db, path, options.quick, report);
    util::Status st = util::Ok();
    if (path == names) {
      st = CheckConsensus(*db, path, options.window, report);
      if (st) st = CheckNames(*db, path, !options.quick, report);
    } else if (std::string(file) == "zonefiles.db" && !options.quick) {
      st = CheckZonefiles(*db, path, report);
    }
    if (!st) report.problems.push_back({path, std::nullopt, "cannot be read: " + st.error().message});
  }
  return report;
}

util::Status CheckAtStart(const std::string& data_dir, uint32_t window) {
  const std::string names = data_dir + "/blockstack.db";
  std::error_code ec;
  // A data directory that has been used keeps its name database: without it,
  // starting again would serve an empty one as if nothing were registered.
  if (!std::filesystem::exists(names, ec)) {
    for (const char* other : {"zonefiles.db", "subdomains.db"}) {
      if (std::filesystem::exists(data_dir + "/" + other, ec)) {
        return Fail(ErrorCode::Corruption, "the name database " + names +
                                               " is missing while the rest of the data directory is there; restore "
                                               "it (blockstackd restore) or start from an empty data directory");
      }
    }
    return util::Ok();
  }
  VerifyOptions options{data_dir, window, true};
  BS_TRY(auto report, Verify(options));
  if (report.Ok()) return util::Ok();
  const auto& first = report.problems.front();
  return Fail(ErrorCode::Corruption, first.file + ": " + first.what + "; run 'blockstackd verify --data-dir " +
                                         data_dir +
                                         "' for the whole list, then restore from a snapshot (blockstackd restore)");
}

int RunVerify(int argc, char** argv) {
  CLI::App app{"blockstackd verify: checks a data directory's databases without changing them"};
  app.name("blockstackd verify");
  std::string log_level = "warn";
  DataDirOption data_dir_option(app);
  uint32_t window = 0;
  bool quick = false, json = false;
  app.add_option("--window", window, "Recompute the consensus hashes of only the newest N blocks (default: all)");
  app.add_flag("--quick", quick, "SQLite's quick check instead of the full one; zone files are not hashed");
  app.add_flag("--json", json, "Print the report as JSON");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (default warn)");
  if (auto stop = ParseCommand(app, argc, argv, log_level)) return *stop;
  auto data_dir = data_dir_option.Resolve("blockstackd verify");
  if (!data_dir) return 2;
  auto report = Verify({*data_dir, window, quick});
  if (!report) {
    std::cerr << "blockstackd verify: " << report.error().message << "\n";
    return 3;
  }
  if (json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : report->problems) {
      problems.push_back(
          {{"file", p.file}, {"block", p.block ? nlohmann::json(*p.block) : nlohmann::json()}, {"problem", p.what}});
    }
    std::cout << nlohmann::json{{"ok", report->Ok()},
                                {"blocks_checked", report->blocks_checked},
                                {"names_checked", report->names_checked},
                                {"zonefiles_checked", report->zonefiles_checked},
                                {"problems", problems}}
                     .dump()
              << "\n";
  } else {
    for (const auto& p : report->problems) std::cout << p.file << ": " << p.what << "\n";
    std::cout << (report->Ok() ? "ok: " : "PROBLEMS FOUND: ") << report->blocks_checked << " consensus hashes, "
              << report->names_checked << " name records, " << report->zonefiles_checked << " zone files checked\n";
  }
  return report->Ok() ? 0 : 5;
}

}  // namespace blockstack::node
