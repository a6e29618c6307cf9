// Pieces shared by the blockstack CLI's commands.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include <bitcoin/network.h>
#include <cli/cli.h>
#include <crypto/keys.h>

namespace CLI {
class App;
}

namespace blockstack::cli {

// Options every command sees.
struct Globals {
  bool json_output = false;
  std::string network = "mainnet";
  std::string bitcoind;
  int rc = EXIT_OK;  // the exit code the command sets
};

// Prints the error and records its exit code in g.rc.
void Report(Globals& g, const util::Error& e);
// JSON with --json, the human text otherwise.
void Print(const Globals& g, const nlohmann::json& j, const std::string& human);
util::Result<bitcoin::NetworkParams> NetworkOf(const Globals& g);
// A key given as WIF or as hex (32 bytes, or 33 ending in 01).
util::Result<crypto::PrivateKey> ParseKey(const std::string& text);

// Command groups, each in its own file.
void AddPayloadCommands(CLI::App& app, Globals& g);
void AddTxCommands(CLI::App& app, Globals& g);
void AddGaiaCommands(CLI::App& app, Globals& g);

}  // namespace blockstack::cli
