#include <node/command.h>

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

}  // namespace blockstack::node
