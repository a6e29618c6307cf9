#include <cli/cli.h>

#include <cli/common.h>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

#include <bitcoin/address.h>
#include <bitcoin/rpc/rpc_client.h>
#include <client/url_fetcher.h>
#include <crypto/hash.h>
#include <crypto/keys.h>
#include <util/text.h>
#include <util/version.h>

namespace blockstack::cli {
namespace {

using nlohmann::json;
using util::ErrorCode;

json BlockJson(const bitcoin::Block& b, uint32_t height) {
  json j;
  j["height"] = height;
  j["hash"] = b.hash.ReversedHex();
  j["previous_hash"] = b.header.prev_hash.ReversedHex();
  j["merkle_root"] = b.header.merkle_root.ReversedHex();
  j["time"] = b.header.time;
  j["merkle_root_valid"] = bitcoin::CheckMerkleRoot(b).has_value();
  j["tx"] = json::array();
  for (std::size_t i = 0; i < b.txs.size(); ++i) {
    json t;
    t["txid"] = b.txids[i].ReversedHex();
    t["inputs"] = b.txs[i].inputs.size();
    t["outputs"] = json::array();
    std::optional<std::string> payload;
    for (const auto& out : b.txs[i].outputs) {
      t["outputs"].push_back({{"value", out.value},
                              {"type", bitcoin::ScriptTypeName(bitcoin::ClassifyScript(out.script_pubkey))},
                              {"script", util::ToHex(out.script_pubkey)}});
      // Like the BNS filter, the last OP_RETURN output decides.
      if (!out.script_pubkey.empty() && out.script_pubkey[0] == bitcoin::OP_RETURN) {
        auto p = bitcoin::OpReturnPayload(out.script_pubkey);
        payload = p ? std::optional<std::string>(util::ToHex(*p)) : std::nullopt;
      }
    }
    t["op_return"] = payload ? json(*payload) : json(nullptr);
    j["tx"].push_back(t);
  }
  return j;
}

std::string BlockHuman(const json& j) {
  std::string s = fmt::format("block {} {}\n  previous {}\n  time {}  merkle root {}\n  {} transactions\n",
                              j["height"].get<uint32_t>(), j["hash"].get<std::string>(),
                              j["previous_hash"].get<std::string>(), j["time"].get<uint32_t>(),
                              j["merkle_root_valid"].get<bool>() ? "valid" : "INVALID", j["tx"].size());
  for (const auto& t : j["tx"]) {
    s += fmt::format("  {}", t["txid"].get<std::string>());
    if (!t["op_return"].is_null()) s += fmt::format("  OP_RETURN {}", t["op_return"].get<std::string>());
    s += "\n";
  }
  return s;
}

}  // namespace

int ExitCodeFor(util::ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::TooLarge:
    case ErrorCode::Conflict: return EXIT_INVALID;
    case ErrorCode::NotFound: return EXIT_NOT_FOUND;
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
    case ErrorCode::NoSpace:
    case ErrorCode::IoError: return EXIT_UNREACHABLE;
    case ErrorCode::Unauthorized: return EXIT_UNAUTHORIZED;
    case ErrorCode::Corruption: return EXIT_CORRUPT;
  }
  return EXIT_INTERNAL;
}

namespace {

// After a usage error: the first word that names no command gets the nearest
// command as a hint (for each level of subcommands).
void UsageHint(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.starts_with("-")) continue;
    std::vector<std::string> names;
    for (auto* sub : level->get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (names.empty()) return;
    if (auto* sub =
            std::find(names.begin(), names.end(), word) != names.end() ? level->get_subcommand(word) : nullptr) {
      level = sub;
      continue;
    }
    // An option's value (--node URL) is not a command.
    if (i > 1 && std::string_view(argv[i - 1]).starts_with("-") &&
        std::string_view(argv[i - 1]).find('=') == std::string_view::npos) {
      const CLI::Option* opt = nullptr;
      for (CLI::App* at = level; at && !opt; at = at->get_parent()) opt = at->get_option_no_throw(argv[i - 1]);
      if (opt && opt->get_expected_min() > 0) continue;
    }
    std::vector<std::string_view> views(names.begin(), names.end());
    auto hint = util::NearestWord(word, views);
    std::cerr << "unknown command '" << word << "'"
              << (hint ? "; did you mean '" + *hint + "'?"
                       : "; the commands here: " + fmt::format("{}", fmt::join(names, ", ")))
              << "\n";
    return;
  }
}

}  // namespace

int RunCli(int argc, char** argv) {
  Globals g;
  CLI::App app{"blockstack: keys, names, zone files and storage from the command line"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("blockstack ") + util::VERSION);
  app.add_flag("--json", g.json_output, "Print machine-readable JSON");
  app.add_option("--network", g.network, "mainnet, testnet or regtest")
      ->capture_default_str()
      ->envname("BLOCKSTACK_NETWORK");
  app.add_option("--bitcoind", g.bitcoind, "Bitcoin node RPC URL, http://USER:PASS@HOST:PORT")
      ->envname("BLOCKSTACK_BITCOIND");
  app.add_option("--node", g.node, "Blockstack node REST API URL")->capture_default_str()->envname("BLOCKSTACK_NODE");
  app.add_option("--wallet-rpc", g.wallet_rpc, "Wallet RPC URL for listunspent (default: --bitcoind)")
      ->envname("BLOCKSTACK_WALLET_RPC");
  app.add_option_function<std::string>(
         "--ca-file", [](const std::string& file) { client::TrustCaFile(file); },
         "Trust the CA certificates in this PEM file for https:// URLs instead of the "
         "system's store")
      ->envname("BLOCKSTACK_CA_FILE")
      ->check(CLI::ExistingFile);
  app.add_option_function<std::vector<std::string>>(
         "--connect-to",
         [](const std::vector<std::string>& specs) {
           for (const auto& spec : specs) {
             if (auto ok = client::ConnectTo(spec); !ok) throw CLI::ValidationError("--connect-to", ok.error().message);
           }
         },
         "HOST:PORT:TO_HOST:TO_PORT: connect to TO_HOST:TO_PORT for URLs of HOST:PORT (as curl's "
         "--connect-to; certificates are still checked for HOST). Repeatable")
      ->type_name("SPEC");

  AddKeyCommands(app, g);

  // chain
  auto* chain = app.add_subcommand("chain", "Read the Bitcoin chain through the node's RPC; mine blocks on regtest");
  chain->require_subcommand(1);
  auto* info = chain->add_subcommand("info", "Print the chain height and the last block");
  info->callback([&] {
    auto client = BitcoinRpc(g.bitcoind);
    if (!client) {
      Report(g, client.error());
      return;
    }
    bitcoin::rpc::RpcBlockSource source(std::move(*client));
    auto height = source.TipHeight();
    if (!height) {
      Report(g, height.error());
      return;
    }
    auto block = source.GetBlock(*height);
    if (!block) {
      Report(g, block.error());
      return;
    }
    auto bj = BlockJson(*block, *height);
    json j = {{"height", *height}, {"last_block", bj}};
    Print(g, j, fmt::format("chain height {}\n", *height) + BlockHuman(bj));
  });
  uint32_t block_height = 0;
  auto* blk = chain->add_subcommand("block", "Print a block's transactions and OP_RETURN payloads");
  blk->add_option("HEIGHT", block_height, "Block height")->required();
  blk->callback([&] {
    auto client = BitcoinRpc(g.bitcoind);
    if (!client) {
      Report(g, client.error());
      return;
    }
    bitcoin::rpc::RpcBlockSource source(std::move(*client));
    auto block = source.GetBlock(block_height);
    if (!block) {
      Report(g, block.error());
      return;
    }
    auto bj = BlockJson(*block, block_height);
    Print(g, bj, BlockHuman(bj));
  });

  AddWalletCommands(app, *chain, g);
  AddTxCommands(app, g);
  AddPayloadCommands(app, g);
  AddAnchorCommand(app, g);
  AddProofCommands(app, g);
  AddGaiaCommands(app, g);
  AddNodeCommands(app, g);
  AddNameCommands(app, g);
  AddAuthenticatorCommand(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    if (code != 0) {
      UsageHint(app, argc, argv);
      // Under --json the usage error is JSON on stdout too, as every error is.
      for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) != "--json") continue;
        std::cout << nlohmann::json{{"error", e.what()}, {"exit_code", EXIT_USAGE}}.dump(
                         2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
        break;
      }
    }
    return code == 0 ? EXIT_OK : EXIT_USAGE;
  }
  return g.rc;
}

}  // namespace blockstack::cli
