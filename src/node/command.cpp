#include <node/command.h>

#include <node/config.h>

#include <iostream>

#include <util/log.h>

namespace blockstack::node {

std::optional<int> ParseCommand(CLI::App& app, int argc, char** argv, const std::string& log_level) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto st = util::InitLogging(log_level); !st) {
    std::cerr << "blockstackd: " << st.error().message << "\n";
    return 2;
  }
  return std::nullopt;
}

DataDirOption::DataDirOption(CLI::App& app) {
  app.add_option("--data-dir", m_dir, "The node's data directory (default: the --network's per-user one)");
  app.add_option("--network", m_network, "mainnet, testnet or regtest: picks the default data directory")
      ->capture_default_str();
}

std::optional<std::string> DataDirOption::Resolve(const std::string& command) const {
  if (!m_dir.empty()) return m_dir;
  auto network = bitcoin::ParseNetwork(m_network);
  if (!network) {
    std::cerr << command << ": unknown network '" << m_network << "' (mainnet, testnet, regtest)\n";
    return std::nullopt;
  }
  auto dir = DefaultDataDir(*network);
  if (!dir) std::cerr << command << ": give --data-dir (neither XDG_DATA_HOME nor HOME is set)\n";
  return dir;
}

}  // namespace blockstack::node
