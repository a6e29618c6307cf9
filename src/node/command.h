// What the `blockstackd <command>` entry points share.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace blockstack::node {

// Parses a command's arguments (its options already on app), then starts logging
// at log_level, which one of those options fills. nullopt: go on; otherwise the
// exit code (0 after --help, 2 for bad arguments or an unknown log level).
std::optional<int> ParseCommand(CLI::App& app, int argc, char** argv, const std::string& log_level);

// A command's --data-dir, and --network, which picks the default directory
// (DefaultDataDir) when --data-dir is not given.
class DataDirOption {
 public:
  explicit DataDirOption(CLI::App& app);
  // After parsing: the directory. nullopt (the reason printed, naming command)
  // when there is none to use.
  std::optional<std::string> Resolve(const std::string& command) const;

 private:
  std::string m_dir;
  std::string m_network = "mainnet";
};

}  // namespace blockstack::node
