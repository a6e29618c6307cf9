#include <cli/cli.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include <bitcoin/address.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bitcoin/sign.h>
#include <crypto/hash.h>
#include <crypto/keys.h>

namespace blockstack::cli {
namespace {

using nlohmann::json;
using util::ErrorCode;

struct Globals {
  bool json_output = false;
  std::string network = "mainnet";
  std::string bitcoind;
};

int Report(const util::Error& e) {
  std::cerr << "error: " << e.message << "\n";
  return ExitCodeFor(e.code);
}

void Print(const Globals& g, const json& j, const std::string& human) {
  if (g.json_output) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << human;
  }
}

util::Result<bitcoin::NetworkParams> NetworkOf(const Globals& g) {
  auto n = bitcoin::ParseNetwork(g.network);
  if (!n) return util::Fail(ErrorCode::InvalidArgument, "unknown network '" + g.network + "' (mainnet, testnet, regtest)");
  return bitcoin::Params(*n);
}

// A key given as WIF or as hex (32 bytes, or 33 ending in 01).
util::Result<crypto::PrivateKey> ParseKey(const std::string& text) {
  if (util::IsHex(text) && (text.size() == 64 || text.size() == 66)) return crypto::PrivateKey::FromHex(text);
  auto k = crypto::PrivateKey::FromWif(text);
  if (!k) return util::Fail(ErrorCode::InvalidArgument, "key is neither WIF nor 32-byte hex: " + k.error().message);
  return k;
}

util::Result<std::unique_ptr<bitcoin::rpc::RpcClient>> Connect(const Globals& g) {
  if (g.bitcoind.empty()) {
    return util::Fail(ErrorCode::InvalidArgument, "--bitcoind http://USER:PASS@HOST:PORT is required");
  }
  return bitcoin::rpc::RpcClient::Create(g.bitcoind);
}

json KeyJson(const crypto::PrivateKey& key) {
  json j;
  auto pub = key.GetPublicKey();
  j["private_key"] = key.Hex() + (key.IsCompressed() ? "01" : "");
  j["public_key"] = pub.Hex();
  j["compressed"] = key.IsCompressed();
  for (auto n : {bitcoin::Network::Mainnet, bitcoin::Network::Testnet}) {
    const auto& p = bitcoin::Params(n);
    j["wif"][p.name] = key.ToWif(p.wif_version);
    j["address"][p.name] = bitcoin::P2pkhAddress(pub, p);
  }
  j["address"]["regtest"] = j["address"]["testnet"];
  j["wif"]["regtest"] = j["wif"]["testnet"];
  return j;
}

std::string KeyHuman(const json& j) {
  std::string s;
  s += fmt::format("private key      {}\n", j["private_key"].get<std::string>());
  s += fmt::format("public key       {}\n", j["public_key"].get<std::string>());
  s += fmt::format("WIF (mainnet)    {}\n", j["wif"]["mainnet"].get<std::string>());
  s += fmt::format("WIF (test/reg)   {}\n", j["wif"]["testnet"].get<std::string>());
  s += fmt::format("address mainnet  {}\n", j["address"]["mainnet"].get<std::string>());
  s += fmt::format("address test/reg {}\n", j["address"]["testnet"].get<std::string>());
  return s;
}

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

struct Utxo {
  bitcoin::OutPoint outpoint;
  int64_t value = 0;
};

// TXID:VOUT:VALUE
util::Result<Utxo> ParseUtxo(const std::string& text) {
  auto c1 = text.find(':');
  auto c2 = text.find(':', c1 == std::string::npos ? c1 : c1 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos) {
    return util::Fail(ErrorCode::InvalidArgument, "--utxo must be TXID:VOUT:VALUE_IN_SATOSHIS");
  }
  Utxo u;
  BS_TRY(u.outpoint.txid, util::Hash256::FromReversedHex(text.substr(0, c1)));
  try {
    std::size_t used = 0;
    auto vout = std::stoul(text.substr(c1 + 1, c2 - c1 - 1), &used);
    if (vout > 0xffffffffUL) throw std::out_of_range("vout");
    u.outpoint.index = static_cast<uint32_t>(vout);
    u.value = std::stoll(text.substr(c2 + 1), &used);
    if (used != text.size() - c2 - 1 || u.value <= 0) throw std::invalid_argument("value");
  } catch (const std::exception&) {
    return util::Fail(ErrorCode::InvalidArgument, "--utxo must be TXID:VOUT:VALUE_IN_SATOSHIS");
  }
  return u;
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
    case ErrorCode::IoError: return EXIT_UNREACHABLE;
    case ErrorCode::Unauthorized: return EXIT_UNAUTHORIZED;
    case ErrorCode::Corruption: return EXIT_CORRUPT;
  }
  return EXIT_INTERNAL;
}

int RunCli(int argc, char** argv) {
  Globals g;
  CLI::App app{"blockstack: keys, names, zone files and storage from the command line"};
  app.require_subcommand(1);
  app.add_flag("--json", g.json_output, "Print machine-readable JSON");
  app.add_option("--network", g.network, "mainnet, testnet or regtest")->capture_default_str();
  app.add_option("--bitcoind", g.bitcoind, "Bitcoin node RPC URL, http://USER:PASS@HOST:PORT");

  int rc = EXIT_OK;

  // keys
  auto* keys = app.add_subcommand("keys", "Generate and inspect private keys");
  keys->require_subcommand(1);
  bool uncompressed = false;
  auto* gen = keys->add_subcommand("generate", "Make a new private key and print its addresses");
  gen->add_flag("--uncompressed", uncompressed, "Use the uncompressed public key form");
  gen->callback([&] {
    auto key = crypto::PrivateKey::Generate(!uncompressed);
    auto j = KeyJson(key);
    Print(g, j, KeyHuman(j));
  });
  std::string key_text;
  auto* show = keys->add_subcommand("show", "Print the public key, WIFs and addresses of a key (WIF or hex)");
  show->add_option("KEY", key_text, "Private key, WIF or hex")->required();
  show->callback([&] {
    auto key = ParseKey(key_text);
    if (!key) { rc = Report(key.error()); return; }
    auto j = KeyJson(*key);
    Print(g, j, KeyHuman(j));
  });

  // chain
  auto* chain = app.add_subcommand("chain", "Read the Bitcoin chain through the node's RPC");
  chain->require_subcommand(1);
  auto* info = chain->add_subcommand("info", "Print the chain height and the last block");
  info->callback([&] {
    auto client = Connect(g);
    if (!client) { rc = Report(client.error()); return; }
    bitcoin::rpc::RpcBlockSource source(std::move(*client));
    auto height = source.TipHeight();
    if (!height) { rc = Report(height.error()); return; }
    auto block = source.GetBlock(*height);
    if (!block) { rc = Report(block.error()); return; }
    auto bj = BlockJson(*block, *height);
    json j = {{"height", *height}, {"last_block", bj}};
    Print(g, j, fmt::format("chain height {}\n", *height) + BlockHuman(bj));
  });
  uint32_t block_height = 0;
  auto* blk = chain->add_subcommand("block", "Print a block's transactions and OP_RETURN payloads");
  blk->add_option("HEIGHT", block_height, "Block height")->required();
  blk->callback([&] {
    auto client = Connect(g);
    if (!client) { rc = Report(client.error()); return; }
    bitcoin::rpc::RpcBlockSource source(std::move(*client));
    auto block = source.GetBlock(block_height);
    if (!block) { rc = Report(block.error()); return; }
    auto bj = BlockJson(*block, block_height);
    Print(g, bj, BlockHuman(bj));
  });

  // tx
  auto* tx = app.add_subcommand("tx", "Build and sign raw transactions");
  tx->require_subcommand(1);
  std::string data_hex, utxo_text, change_address;
  int64_t fee = 10000;
  bool broadcast = false;
  auto* data = tx->add_subcommand("data", "Spend a p2pkh output to an OP_RETURN output plus change");
  data->add_option("--key", key_text, "Private key owning the output (WIF or hex)")->required();
  data->add_option("--utxo", utxo_text, "Output to spend, TXID:VOUT:VALUE (satoshis)")->required();
  data->add_option("--data", data_hex, "OP_RETURN payload, hex (at most 80 bytes)")->required();
  data->add_option("--fee", fee, "Fee in satoshis")->capture_default_str();
  data->add_option("--change", change_address, "Change address (default: the key's own address)");
  data->add_flag("--broadcast", broadcast, "Send it through --bitcoind instead of printing the hex");
  data->callback([&] {
    auto fail = [&](const util::Error& e) { rc = Report(e); };
    auto net = NetworkOf(g);
    if (!net) return fail(net.error());
    auto key = ParseKey(key_text);
    if (!key) return fail(key.error());
    auto utxo = ParseUtxo(utxo_text);
    if (!utxo) return fail(utxo.error());
    auto payload = util::FromHex(data_hex);
    if (!payload) return fail(payload.error().Wrap("--data"));
    if (payload->size() > 80) return fail({ErrorCode::TooLarge, "--data is over 80 bytes, the standard OP_RETURN limit"});
    auto own_script = bitcoin::MakeP2pkhScript(crypto::Hash160Of(key->GetPublicKey().Serialize()));
    util::Bytes change_script = own_script;
    if (!change_address.empty()) {
      auto s = bitcoin::ScriptFromAddress(change_address, *net);
      if (!s) return fail(s.error());
      change_script = *s;
    }
    constexpr int64_t DUST = 546;
    if (fee < 0 || utxo->value - fee < DUST) {
      return fail({ErrorCode::InvalidArgument, fmt::format("the output's {} satoshis do not cover a fee of {} plus change", utxo->value, fee)});
    }
    bitcoin::Transaction t;
    bitcoin::TxIn in;
    in.prevout = utxo->outpoint;
    t.inputs.push_back(in);
    t.outputs.push_back({0, *bitcoin::MakeOpReturnScript(*payload)});
    t.outputs.push_back({utxo->value - fee, change_script});
    auto signed_ok = bitcoin::SignP2pkhInput(t, 0, own_script, *key);
    if (!signed_ok) return fail(signed_ok.error());
    auto raw = bitcoin::SerializeTransaction(t);
    std::string txid = t.ComputeTxid().ReversedHex();
    if (!broadcast) {
      Print(g, json{{"txid", txid}, {"hex", util::ToHex(raw)}}, util::ToHex(raw) + "\n");
      return;
    }
    auto client = Connect(g);
    if (!client) return fail(client.error());
    auto sent = (*client)->SendRawTransaction(raw);
    if (!sent) return fail(sent.error());
    Print(g, json{{"txid", sent->ReversedHex()}}, sent->ReversedHex() + "\n");
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? EXIT_OK : EXIT_USAGE;
  }
  return rc;
}

}  // namespace blockstack::cli
