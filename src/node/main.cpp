#include <node/main.h>

#include <cstdio>
#include <iostream>
#include <string_view>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <node/command.h>
#include <node/config.h>
#include <node/import_zonefiles.h>
#include <node/node.h>
#include <node/progress.h>
#include <node/query.h>
#include <node/snapshot.h>
#include <node/verify.h>
#include <util/log.h>

namespace blockstack::node {

using util::ErrorCode;

namespace {

// `blockstackd snapshot ...` (argv starts at the subcommand).
int RunSnapshot(int argc, char** argv) {
  CLI::App app{
      "blockstackd snapshot: writes the node's name database, operation log and zone files to one "
      "compressed file that 'blockstackd restore' checks against a trusted consensus hash"};
  app.name("blockstackd snapshot");
  std::string out, log_level = "info";
  std::optional<uint32_t> height;
  DataDirOption data_dir_option(app);
  app.add_option("--out", out, "The snapshot file to write")->required();
  app.add_option("--height", height, "Snapshot at this height (default: the last indexed block)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (default info)");
  if (auto stop = ParseCommand(app, argc, argv, log_level)) return *stop;
  auto data_dir = data_dir_option.Resolve("blockstackd snapshot");
  if (!data_dir) return 2;
  StepReporter reporter;
  auto summary = WriteSnapshot(*data_dir, out, height, std::ref(reporter));
  if (!summary) {
    std::cerr << "blockstackd snapshot: " << summary.error().message << "\n";
    return summary.error().code == ErrorCode::IoError ? 3 : 4;
  }
  std::cout << nlohmann::json{{"file", out},
                              {"height", summary->height},
                              {"consensus_hash", summary->consensus_hash},
                              {"blocks", summary->blocks},
                              {"ops", summary->ops},
                              {"zonefiles", summary->zonefiles},
                              {"zonefiles_missing", summary->zonefiles_missing},
                              {"bytes", summary->bytes},
                              {"seconds", summary->seconds}}
                   .dump()
            << "\n";
  return 0;
}

// `blockstackd restore FILE ...` (argv starts at the program): the daemon's
// options and the restore's; then the node, when a Bitcoin node is given.
int RunRestore(int argc, char** argv) {
  int exit_code = 0;
  RestoreArgs args;
  auto cfg = ParseDaemonArgs(argc, argv, &exit_code, &args);
  if (!cfg) return exit_code;
  if (auto st = util::InitLogging(cfg->log_level); !st) {
    std::cerr << "blockstackd: " << st.error().message << "\n";
    return 2;
  }
  StepReporter reporter;
  auto summary = RestoreSnapshot(*cfg, args, std::ref(reporter));
  if (!summary) {
    std::cerr << "blockstackd restore: refused: " << summary.error().message << "\n";
    switch (summary.error().code) {
      case ErrorCode::Corruption:
        return 5;
      case ErrorCode::Conflict:
        return 6;
      case ErrorCode::IoError:
        return 3;
      default:
        return 2;
    }
  }
  spdlog::info(
      "restored {} blocks ({} operations) and {} zone files to block {} in {:.1f}s; consensus hash {} "
      "matches the trusted hash",
      summary->blocks, summary->ops, summary->zonefiles, summary->height, summary->seconds, summary->consensus_hash);
  if (cfg->bitcoind.empty() && cfg->blocks_file.empty()) {
    spdlog::info("no Bitcoin node given: start blockstackd with --data-dir {} to keep indexing", cfg->data_dir);
    return 0;
  }
  return RunNode(*cfg);
}

}  // namespace

int RunDaemon(int argc, char** argv) {
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "query") return RunQuery(argc - 1, argv + 1);
  if (command == "snapshot") return RunSnapshot(argc - 1, argv + 1);
  if (command == "restore") return RunRestore(argc, argv);
  if (command == "import-zonefiles") return RunImportZonefiles(argc - 1, argv + 1);
  if (command == "verify") return RunVerify(argc - 1, argv + 1);
  int exit_code = 0;
  auto cfg = ParseDaemonArgs(argc, argv, &exit_code);
  if (!cfg) return exit_code;
  if (auto st = util::InitLogging(cfg->log_level); !st) {
    std::fprintf(stderr, "blockstackd: %s\n", st.error().message.c_str());
    return 2;
  }
  return RunNode(*cfg);
}

}  // namespace blockstack::node
