// blockstack tx build: spend p2pkh outputs of one key into any outputs, with an
// optional OP_RETURN first; print the signed transaction or broadcast it.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <bitcoin/address.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bitcoin/script.h>
#include <cli/common.h>
#include <client/tx_builder.h>

namespace blockstack::cli {

void AddTxCommands(CLI::App& app, Globals& g) {
  auto* tx = app.add_subcommand("tx", "Build and sign raw transactions");
  tx->require_subcommand(1);
  struct Opts {
    std::string key, data, change;
    KeyOpts keys;
    std::vector<std::string> utxos, outputs;
    std::optional<std::size_t> change_index;
    int64_t fee = 10000;
    bool broadcast = false;
  };
  auto opts = std::make_shared<Opts>();
  auto* build = tx->add_subcommand("build", "Spend the key's outputs: [OP_RETURN data] + outputs + change");
  build->alias("data");
  build->add_option("--key", opts->key, "Private key owning the outputs (default with a keychain: its owner key)");
  AddKeychainOptions(build, opts->keys);
  build->add_option("--utxo", opts->utxos, "Output to spend, TXID:VOUT:SATOSHIS (repeatable)")->required();
  build->add_option("--data", opts->data, "OP_RETURN payload, hex (at most 80 bytes); output 0 when given");
  build->add_option("--output", opts->outputs, "ADDRESS:SATS, burn:SATS or p2pkh:HASH160:SATS (repeatable, in order)");
  build->add_option("--change", opts->change, "Change address (default: the key's own)");
  build->add_option("--change-index", opts->change_index, "Position of the change output (default: last)");
  build->add_option("--fee", opts->fee, "Fee in satoshis")->capture_default_str();
  build->add_flag("--broadcast", opts->broadcast, "Send it through --bitcoind instead of printing it");
  build->callback([&g, opts] {
    auto fail = [&](const util::Error& e) { Report(g, e); };
    auto net = NetworkOf(g);
    if (!net) return fail(net.error());
    auto key = ResolveSpender(opts->keys, opts->key);
    if (!key) return fail(key.error());
    std::vector<client::Utxo> utxos;
    for (const auto& text : opts->utxos) {
      auto u = client::ParseUtxo(text);
      if (!u) return fail(u.error().Wrap("--utxo"));
      utxos.push_back(*u);
    }
    client::TxSpec spec;
    spec.fee = opts->fee;
    spec.change_index = opts->change_index;
    if (!opts->data.empty()) {
      auto payload = util::FromHex(opts->data);
      if (!payload) return fail(payload.error().Wrap("--data"));
      if (payload->size() > 80) return fail({util::ErrorCode::TooLarge, "--data is over 80 bytes, the standard OP_RETURN limit"});
      spec.op_return = *payload;
    }
    for (const auto& text : opts->outputs) {
      auto o = client::ParseOutput(text, *net);
      if (!o) return fail(o.error().Wrap("--output"));
      spec.outputs.push_back(*o);
    }
    if (!opts->change.empty()) {
      auto s = bitcoin::ScriptFromAddress(opts->change, *net);
      if (!s) return fail(s.error().Wrap("--change"));
      spec.change_script = *s;
    }
    auto built = client::BuildAndSign(*key, utxos, spec);
    if (!built) return fail(built.error());
    nlohmann::json j{{"txid", built->txid},
                     {"hex", util::ToHex(built->raw)},
                     {"change_index", built->change_index},
                     {"change_value", built->change_value}};
    if (!opts->broadcast) return Print(g, j, util::ToHex(built->raw) + "\n");
    if (g.bitcoind.empty()) return fail({util::ErrorCode::InvalidArgument, "--broadcast needs --bitcoind"});
    auto client = bitcoin::rpc::RpcClient::Create(g.bitcoind);
    if (!client) return fail(client.error());
    auto sent = (*client)->SendRawTransaction(built->raw);
    if (!sent) return fail(sent.error());
    j["txid"] = sent->ReversedHex();
    Print(g, j, sent->ReversedHex() + "\n");
  });
}

}  // namespace blockstack::cli
