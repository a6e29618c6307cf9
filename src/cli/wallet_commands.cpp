// `blockstack chain mine` and `blockstack wallet`: blocks on a regtest chain, and
// the Bitcoin node's wallet that funds operations (bitcoind, or bcoin whose regtest
// writes addresses and WIFs with other version bytes).
#include <cli/common.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include <bitcoin/address.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bitcoin/script.h>
#include <client/operations.h>
#include <crypto/hash.h>

namespace blockstack::cli {
namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

struct WalletOpts {
  uint32_t count = 1;
  std::string to;
  double every = 0;
  std::string key;
  bool no_rescan = false;
  KeyOpts keys;
};

// Calls method with params built for each form a value may take on this node:
// the usual one first, then the alternative (bcoin's regtest). The form that
// worked is remembered in *form (0 usual, 1 alternative) and tried first.
util::Result<json> CallInEitherForm(bitcoin::rpc::RpcClient& rpc, std::string_view method,
                                    const std::function<json(int)>& params, int& form, bool has_alt) {
  auto first = rpc.Call(method, params(form));
  if (first || !has_alt) return first;
  auto second = rpc.Call(method, params(1 - form));
  if (!second) return first;
  form = 1 - form;
  return second;
}

// bcoin's wallet takes blocks in after generatetoaddress has returned, so a
// balance asked at once could miss them: when the wallet holds the address the
// blocks paid, wait (at most 10 s) until it has the last block's coinbase.
// bitcoind's wallet RPCs wait for it themselves (and have no getaccount).
void WaitForWallet(const Globals& g, const json& hashes, const std::string& address) {
  if (!hashes.is_array() || hashes.empty() || !hashes.back().is_string()) return;
  auto node = BitcoinRpc(g.bitcoind);
  auto wallet = BitcoinRpc(g.wallet_rpc.empty() ? g.bitcoind : g.wallet_rpc);
  if (!node || !wallet) return;
  auto account = (*wallet)->Call("getaccount", json::array({address}));
  if (!account || !account->is_string() || account->get<std::string>().empty()) return;
  auto block = (*node)->Call("getblock", json::array({hashes.back(), 1}));
  if (!block || !block->is_object() || !block->contains("tx") || !(*block)["tx"].is_array() || (*block)["tx"].empty()) {
    return;
  }
  const json& first = (*block)["tx"][0];
  const json txid = first.is_string() ? first : first.value("txid", json());
  if (!txid.is_string()) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if ((*wallet)->Call("gettransaction", json::array({txid}))) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

util::Status Mine(Globals& g, const WalletOpts& o) {
  BS_TRY(auto net, NetworkOf(g));
  if (net.network != bitcoin::Network::Regtest) {
    return Fail(ErrorCode::InvalidArgument, "chain mine works on regtest only (give --network regtest)");
  }
  if (o.every < 0 || o.every > 86400) return Fail(ErrorCode::InvalidArgument, "--every is 0 to 86400 seconds");
  BS_TRY(util::Bytes script, bitcoin::ScriptFromAddress(o.to, net));
  BS_TRY(auto decoded, bitcoin::DecodeAddress(o.to));
  const bool p2sh = bitcoin::ClassifyScript(script) == bitcoin::ScriptType::P2sh;
  const std::string forms[2] = {
      bitcoin::AddressFromHash160(decoded.hash, p2sh ? net.p2sh_version : net.p2pkh_version),
      bitcoin::AddressFromHash160(decoded.hash, p2sh ? net.alt_p2sh_version : net.alt_p2pkh_version)};
  BS_TRY(auto rpc, BitcoinRpc(g.bitcoind));
  int form = 0;
  auto mine = [&](uint32_t n) -> util::Result<json> {
    return CallInEitherForm(
        *rpc, "generatetoaddress",
        [&](int f) {
          return json::array({n, forms[f]});
        },
        form, true);
  };
  BS_TRY(json hashes, mine(o.count));
  WaitForWallet(g, hashes, forms[form]);
  BS_TRY(uint32_t height, rpc->GetBlockCount());
  Print(g, json{{"height", height}, {"blocks", hashes}},
        fmt::format("mined {} block(s); the chain height is {}\n", hashes.size(), height));
  if (o.every == 0) return util::Ok();
  std::cout.flush();
  // One block every --every seconds until the process is stopped (e.g. while
  // another shell waits with --wait on regtest, where nobody else mines).
  const auto period = std::chrono::milliseconds(static_cast<int64_t>(o.every * 1000));
  for (;;) {
    std::this_thread::sleep_for(period);
    auto more = mine(1);
    if (!more) return Fail(more.error());
    if (!g.json_output) {
      if (auto h = rpc->GetBlockCount()) std::cout << fmt::format("mined block {}\n", *h) << std::flush;
    }
  }
}

util::Status Import(Globals& g, const WalletOpts& o) {
  BS_TRY(auto net, NetworkOf(g));
  BS_TRY(auto key, ResolveKey(o.keys, o.key, false));
  const std::string address = bitcoin::P2pkhAddress(key.GetPublicKey(), net);
  BS_TRY(auto wallet, BitcoinRpc(g.wallet_rpc.empty() ? g.bitcoind : g.wallet_rpc));
  const std::string wifs[2] = {key.ToWif(net.wif_version),
                               net.alt_wif_version ? key.ToWif(net.alt_wif_version) : std::string()};
  int form = 0;
  auto done = CallInEitherForm(
      *wallet, "importprivkey",
      [&](int f) {
        return json::array({wifs[f], "", !o.no_rescan});
      },
      form, net.alt_wif_version != 0);
  if (!done) {
    return Fail(done.error().code,
                "importing the key into the wallet: " + done.error().message +
                    " (bitcoind needs a loaded wallet that holds private keys; bcoin: give --wallet-rpc with its "
                    "wallet port, 48332 on regtest)");
  }
  Print(g, json{{"address", address}, {"imported", true}, {"rescan", !o.no_rescan}},
        fmt::format("imported the key of {} into the wallet{}\n", address,
                    o.no_rescan ? "" : "; its earlier outputs were looked for"));
  return util::Ok();
}

util::Status Balance(Globals& g, const WalletOpts& o) {
  BS_TRY(auto net, NetworkOf(g));
  // An address of this network, or a key spec.
  util::Bytes script;
  if (auto s = bitcoin::ScriptFromAddress(o.key, net)) {
    script = std::move(*s);
  } else {
    BS_TRY(auto spender, ResolveSpender(o.keys, o.key, false));
    script = spender.ScriptPubKey();
  }
  BS_TRY(auto rpc, BitcoinRpc(g.bitcoind));
  BS_TRY(auto wallet, BitcoinRpc(g.wallet_rpc.empty() ? g.bitcoind : g.wallet_rpc));
  BS_TRY(auto utxos, client::WalletUtxos(*wallet, script, rpc.get()));
  int64_t total = 0;
  for (const auto& u : utxos) total += u.value;
  const std::string address = bitcoin::AddressFromScript(script, net).value_or("");
  Print(g, json{{"address", address}, {"spendable_sats", total}, {"outputs", utxos.size()}},
        fmt::format("{}: {} satoshis spendable in {} output(s)\n", address, total, utxos.size()));
  return util::Ok();
}

}  // namespace

void AddWalletCommands(CLI::App& app, CLI::App& chain, Globals& g) {
  auto o = std::make_shared<WalletOpts>();
  auto* mine = chain.add_subcommand("mine", "Mine blocks on regtest (generatetoaddress); --every keeps mining");
  mine->add_option("COUNT", o->count, "How many blocks to mine at once")->capture_default_str();
  mine->add_option("--to", o->to, "The address the blocks pay (bitcoind's or bcoin's regtest form)")->required();
  mine->add_option("--every", o->every, "Then mine one block every SECONDS until stopped");
  mine->callback([&g, o] {
    if (auto s = Mine(g, *o); !s) Report(g, s.error());
  });

  auto* wallet = app.add_subcommand("wallet", "The Bitcoin node's wallet that funds operations (--wallet-rpc)");
  wallet->require_subcommand(1);
  auto* imp = wallet->add_subcommand("import", "Import a key into the wallet so its coins can fund operations");
  imp->add_option("KEY", o->key, "A key spec: WIF, hex, env:VAR, file:PATH, or owner:N/payment:N with a keychain")
      ->required();
  imp->add_flag("--no-rescan", o->no_rescan, "Do not look for the key's earlier outputs (faster on a long chain)");
  AddKeychainOptions(imp, o->keys);
  imp->callback([&g, o] {
    if (auto s = Import(g, *o); !s) Report(g, s.error());
  });
  auto* bal =
      wallet->add_subcommand("balance", "The spendable satoshis of an address or key, as the wallet lists them");
  bal->add_option("KEY", o->key, "An address, or a key spec as for --key (multisig and segwit forms too)")->required();
  AddKeychainOptions(bal, o->keys);
  bal->callback([&g, o] {
    if (auto s = Balance(g, *o); !s) Report(g, s.error());
  });
}

}  // namespace blockstack::cli
