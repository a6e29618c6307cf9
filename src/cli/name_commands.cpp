// blockstack namespace preorder|reveal|ready and name
// import|preorder|register|update|transfer|renew|revoke: build the operation's
// payload (bns/ops), shape, fund and sign its transaction (client/operations),
// broadcast it through the Bitcoin node (or print it with --dry-run) and, when
// asked, wait until the Blockstack node has accepted it.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include <bitcoin/address.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <bns/ops/ops.h>
#include <bns/pricing.h>
#include <cli/common.h>
#include <client/node_client.h>
#include <client/operations.h>
#include <client/registrar_client.h>
#include <crypto/hash.h>
#include <subdomain/record.h>
#include <util/text.h>
#include <zonefile/zonefile.h>

namespace blockstack::cli {
namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;
namespace ops = bns::ops;

struct OpOpts {
  std::string name, key, payer_key, owner, to, zonefile, zonefile_hash, magic = "id";
  std::vector<std::string> utxos;
  int64_t fee_rate = 10;
  bool dry_run = false, wait = false, remove_data = false, skip_preorder = false, quiet = false;
  uint32_t confirmations = 1;
  double timeout = 7200;
  RevealArgs reveal;
  KeyOpts keys;
};

// One command's connections and funds.
class Session {
 public:
  static util::Result<Session> Open(Globals& g, const OpOpts& o, bool needs_node) {
    Session s(o);
    BS_TRY(s.m_net, NetworkOf(g));
    if (!o.dry_run || o.utxos.empty()) {
      if (g.bitcoind.empty()) {
        return Fail(ErrorCode::InvalidArgument, "--bitcoind http://USER:PASS@HOST:PORT is required (or --dry-run with --utxo)");
      }
      BS_TRY(s.m_rpc, bitcoin::rpc::RpcClient::Create(g.bitcoind));
      BS_TRY(s.m_wallet, bitcoin::rpc::RpcClient::Create(g.wallet_rpc.empty() ? g.bitcoind : g.wallet_rpc));
    }
    if (needs_node) {
      BS_TRY(s.m_node, client::NodeClient::Create(g.node));
    }
    return s;
  }

  const bitcoin::NetworkParams& Net() const { return m_net; }
  client::NodeClient& Node() { return *m_node; }

  // A key and its spendable outputs: the --utxo list for the --key party, the
  // wallet's listunspent otherwise.
  util::Result<client::Party> LoadParty(const std::string& key_text, bool given_utxos) {
    BS_TRY(auto spender, ResolveSpender(m_opts.keys, key_text));
    client::Party p{spender, {}};
    if (given_utxos && !m_opts.utxos.empty()) {
      for (const auto& text : m_opts.utxos) {
        BS_TRY(auto u, client::ParseUtxo(text));
        p.utxos.push_back(u);
      }
      return p;
    }
    if (!m_wallet) return Fail(ErrorCode::InvalidArgument, "--utxo or --bitcoind is needed to fund the transaction");
    BS_TRY(p.utxos, client::WalletUtxos(*m_wallet, p.Script(), m_rpc.get()));
    if (p.utxos.empty()) {
      bool p2sh = spender.GetKind() != bitcoin::Spender::Kind::P2pkh;
      return Fail(ErrorCode::InvalidArgument,
                  "the wallet at the Bitcoin node lists no unspent output of " + Address(p) +
                      (p2sh ? " (" + spender.Describe() + "; watch it there with importaddress, or give --utxo)"
                            : " (import the key there, or give --utxo)"));
    }
    return p;
  }

  // A namespace's preorderer, revealer and importers sign as one p2pkh key: the
  // node takes the revealer's public key from its signature (it seeds the
  // NAME_IMPORT keyring), which a multisig or segwit input does not give.
  util::Result<client::Party> LoadSingleKeyParty(const std::string& key_text, const char* role) {
    BS_TRY(auto spender, ResolveSpender(m_opts.keys, key_text));
    if (spender.GetKind() != bitcoin::Spender::Kind::P2pkh) {
      return Fail(ErrorCode::InvalidArgument,
                  std::string(role) + " must be a single p2pkh key, not " + spender.Describe() +
                      ": the node takes the namespace revealer's public key from its signature");
    }
    return LoadParty(key_text, true);
  }

  util::Result<util::Bytes> Script(const std::string& address) const { return bitcoin::ScriptFromAddress(address, m_net); }
  std::string Address(const client::Party& p) const {
    return bitcoin::AddressFromScript(p.Script(), m_net).value_or("");
  }

  // Broadcasts (or, with --dry-run, keeps) a built transaction.
  util::Result<std::string> Send(const std::string& what, const client::BuiltTx& tx) {
    m_sent.push_back({{"operation", what}, {"txid", tx.txid}, {"hex", util::ToHex(tx.raw)}});
    if (m_opts.dry_run) return tx.txid;
    BS_TRY(auto txid, m_rpc->SendRawTransaction(tx.raw));
    return txid.ReversedHex();
  }

  // Waits until the node has processed the block holding txid with the wanted
  // confirmations, and checks that it accepted the operation there.
  util::Result<uint32_t> WaitAccepted(const std::string& txid, Progress& progress) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::milliseconds(static_cast<int64_t>(m_opts.timeout * 1000));
    std::optional<uint32_t> height;
    // bcoin answers sendrawtransaction before checking the transaction; one it
    // then refuses (a segwit spend before segwit is active, an immature coinbase)
    // is never found.
    const auto unseen_deadline = clock::now() + std::chrono::seconds(10);
    bool seen = false;
    while (clock::now() < deadline) {
      if (!height) {
        auto tx = m_rpc->Call("getrawtransaction", json::array({txid, true}));
        seen = seen || tx.has_value();
        if (!seen && clock::now() > unseen_deadline) {
          return Fail(ErrorCode::Conflict,
                      "the Bitcoin node does not know transaction " + txid +
                          " 10 s after it was sent: it dropped it (is segwit active on this chain, is every input "
                          "mature?), or it keeps no transaction index (bitcoind needs txindex=1 for --wait)");
        }
        if (tx && tx->is_object() && tx->contains("blockhash") && (*tx)["blockhash"].is_string()) {
          auto header = m_rpc->Call("getblockheader", json::array({(*tx)["blockhash"]}));
          if (header && header->is_object() && header->contains("height") && (*header)["height"].is_number_unsigned()) {
            height = (*header)["height"].get<uint32_t>();
          }
        }
        if (!height) progress.Detail("waiting for a block to confirm " + txid.substr(0, 16) + "...");
      }
      if (height) {
        uint32_t want = *height + (m_opts.confirmations ? m_opts.confirmations - 1 : 0);
        BS_TRY(uint32_t last, m_node->LastBlock());
        if (last >= want) {
          // The node's verdict with its reason; a node that cannot ask its Bitcoin
          // node about transactions answers 503, and its accepted ops are listed.
          auto verdict = m_node->TransactionStatus(txid);
          if (verdict && verdict->value("status", "") == "accepted") return *height;
          if (verdict && verdict->value("status", "") == "rejected") {
            return Fail(ErrorCode::Conflict, fmt::format("the node refused the operation {} in block {}: {}", txid,
                                                         *height, verdict->value("reason", "no reason given")));
          }
          BS_TRY(json ops_at, m_node->OperationsAt(*height));
          for (const auto& op : ops_at) {
            if (op.is_object() && op.value("txid", "") == txid) return *height;
          }
          return Fail(ErrorCode::Conflict, fmt::format("the node refused the operation {} in block {} (its log says why)",
                                                       txid, *height));
        }
        progress.Detail(fmt::format("in block {}, node at block {} of {}", *height, last, want));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return Fail(ErrorCode::Timeout, "gave up waiting for " + txid + " after " + std::to_string(m_opts.timeout) + " s");
  }

  // A preorder of this hash by payer_script that is still live: one the node
  // has and has not seen consumed or expire, or one still in the mempool (an
  // unconfirmed output of the payer whose transaction carries it). Returns
  // {"txid", "confirmed", "block_number"?}.
  util::Result<std::optional<json>> LivePreorder(const util::Hash160& hash, const util::Bytes& payer_script,
                                                 const std::string& magic) {
    if (m_node) {
      BS_TRY(auto known, m_node->Preorder(hash.Hex()));
      if (known && known->value("live", false)) {
        return std::optional<json>(
            json{{"txid", (*known)["txid"]}, {"confirmed", true}, {"block_number", known->value("block_number", 0)}});
      }
    }
    if (!m_wallet || !m_rpc) return std::optional<json>();
    auto pending = m_wallet->Call("listunspent", json::array({0, 0}));
    if (!pending || !pending->is_array()) return std::optional<json>();  // the wallet says nothing: nothing known
    const std::string script_hex = util::ToHex(payer_script);
    std::vector<std::string> seen;
    for (const auto& e : *pending) {
      if (!e.is_object() || e.value("scriptPubKey", "") != script_hex || !e.contains("txid") || !e["txid"].is_string())
        continue;
      const std::string txid = e["txid"].get<std::string>();
      if (std::find(seen.begin(), seen.end(), txid) != seen.end()) continue;
      seen.push_back(txid);
      auto raw = m_rpc->Call("getrawtransaction", json::array({txid, false}));
      if (!raw || !raw->is_string()) continue;
      auto tx = bitcoin::ParseTransactionHex(raw->get<std::string>());
      if (!tx) continue;
      for (const auto& out : tx->outputs) {
        auto payload = bitcoin::OpReturnPayload(out.script_pubkey);
        if (!payload || payload->size() < 3 + hash.data.size()) continue;
        const std::string head(payload->begin(), payload->begin() + 3);
        if (head == magic + "?" && std::equal(hash.data.begin(), hash.data.end(), payload->begin() + 3)) {
          return std::optional<json>(json{{"txid", txid}, {"confirmed", false}});
        }
      }
    }
    return std::optional<json>();
  }

  const json& Sent() const { return m_sent; }

 private:
  explicit Session(const OpOpts& o) : m_opts(o) {}

  const OpOpts& m_opts;
  bitcoin::NetworkParams m_net;
  std::unique_ptr<bitcoin::rpc::RpcClient> m_rpc;
  std::unique_ptr<bitcoin::rpc::RpcClient> m_wallet;
  std::unique_ptr<client::NodeClient> m_node;
  json m_sent = json::array();
};

client::FeePolicy Fee(const OpOpts& o) { return {o.fee_rate}; }

util::Status CheckName(const std::string& name) {
  if (auto problem = bns::NameProblem(name)) {
    return Fail(ErrorCode::InvalidArgument, "invalid name '" + name + "': " + *problem);
  }
  return util::Ok();
}

util::Status CheckNamespace(const std::string& id) {
  if (auto problem = bns::NamespaceIdProblem(id)) {
    return Fail(ErrorCode::InvalidArgument, "invalid namespace ID '" + id + "': " + *problem);
  }
  return util::Ok();
}

// A name can be preordered and registered only in a ready namespace: said before
// anything is paid (the node would take the preorder and refuse the registration).
util::Status CheckNamespaceReady(client::NodeClient& node, const std::string& fqn) {
  const std::string ns = fqn.substr(fqn.rfind('.') + 1);
  auto record = node.Namespace(ns);
  if (!record) {
    if (record.error().code != ErrorCode::NotFound) return Fail(record.error());
    return Fail(ErrorCode::NotFound, "namespace '" + ns +
                                         "' does not exist on the node: it was never revealed, or its "
                                         "NAMESPACE_REVEAL is not confirmed yet (blockstack namespace show " +
                                         ns + ")");
  }
  if (record->is_object() && record->contains("ready") && (*record)["ready"].is_boolean() &&
      !(*record)["ready"].get<bool>()) {
    return Fail(ErrorCode::InvalidArgument,
                "namespace '" + ns +
                    "' is revealed but not ready: names can be registered once its NAMESPACE_READY is confirmed "
                    "(its creator runs `blockstack namespace ready " +
                    ns +
                    " --key KEY --wait`; if that was sent, it may not be confirmed yet); until then only its "
                    "revealer can import names");
  }
  return util::Ok();
}

// The zone file given by --zonefile (read, size-checked) and its hash, or the
// --zonefile-hash alone.
struct ZonefileArg {
  std::optional<std::string> text;
  std::optional<util::Hash160> hash;
};

util::Result<ZonefileArg> ReadZonefileArg(const OpOpts& o) {
  ZonefileArg z;
  if (!o.zonefile.empty() && !o.zonefile_hash.empty()) {
    return Fail(ErrorCode::InvalidArgument, "give --zonefile or --zonefile-hash, not both");
  }
  if (!o.zonefile.empty()) {
    BS_TRY(std::string text, ReadFileText(o.zonefile));
    if (text.size() > zonefile::MAX_ZONEFILE_BYTES) return Fail(ErrorCode::TooLarge, "the zone file is over 40960 bytes");
    z.hash = crypto::Hash160Of(util::AsBytes(text));
    z.text = std::move(text);
  } else if (!o.zonefile_hash.empty()) {
    BS_TRY(z.hash, util::Hash160::FromHex(o.zonefile_hash));
  }
  return z;
}

// The burn output of a name preorder or renewal: the namespace's creator while a
// version-2 namespace still receives fees, the canonical burn address otherwise.
util::Result<bitcoin::TxOut> NameBurnOutput(Session& s, const std::string& fqn, int64_t price) {
  std::string ns_id = fqn.substr(fqn.rfind('.') + 1);
  BS_TRY(json ns, s.Node().Namespace(ns_id));
  if (!ns.value("ready", false)) return Fail(ErrorCode::InvalidArgument, "namespace " + ns_id + " is not ready");
  util::Bytes script = bitcoin::MakeP2pkhScript(util::Hash160{});
  if (ns.value("version", 1) == bns::NAMESPACE_VERSION_PAY_TO_CREATOR) {
    BS_TRY(uint32_t last, s.Node().LastBlock());
    if (ns.value("reveal_block", 0u) + bns::NAMESPACE_REVEAL_EXPIRE >= last + 1 && ns.contains("address") &&
        ns["address"].is_string()) {
      BS_TRY(script, s.Script(ns["address"].get<std::string>()));
    }
  }
  // blockstack.js never pays less than 5500 satoshis.
  return bitcoin::TxOut{std::max<int64_t>(price, client::RECIPIENT_OUTPUT_VALUE), std::move(script)};
}

util::Result<util::Hash160> PreorderHashFor(const std::string& id, const client::Party& payer, const std::string& owner) {
  return bns::HashName(id, payer.Script(), owner);
}

// A NAME_PREORDER for owner, paid by payer at the node's current price.
util::Result<client::BuiltTx> NamePreorder(Session& s, const OpOpts& o, client::Party& payer, const std::string& owner,
                                           int64_t* paid) {
  BS_TRY(int64_t price, s.Node().NamePrice(o.name));
  BS_TRY(auto burn, NameBurnOutput(s, o.name, price));
  BS_TRY(std::string ch, s.Node().ConsensusHash());
  BS_TRY(auto hash, PreorderHashFor(o.name, payer, owner));
  *paid = burn.value;
  return client::PreorderTx(ops::BuildNamePreorder(o.magic, hash, ch), payer, burn, Fee(o));
}

// Prints what was sent; waits for acceptance when asked.
// --dry-run: every signed transaction, hex, one per line (JSON: under "transactions").
void PrintDryRun(const Globals& g, const Session& s, json j) {
  j["transactions"] = s.Sent();
  std::string human;
  for (const auto& t : s.Sent()) human += t["hex"].get<std::string>() + "\n";
  Print(g, j, human);
}

void Finish(Globals& g, Session& s, const OpOpts& o, const std::string& what, const std::string& txid, json extra = json::object()) {
  json j = extra;
  j["operation"] = what;
  j["txid"] = txid;
  if (o.dry_run) return PrintDryRun(g, s, j);
  std::string human = fmt::format("{} sent: {}\n", what, txid);
  if (o.wait) {
    Progress progress(1, o.quiet || g.json_output);
    progress.Step(1, "waiting for the node to accept " + what);
    auto height = s.WaitAccepted(txid, progress);
    if (!height) return ReportSent(g, height.error());
    progress.Done(fmt::format("{} accepted in block {}", what, *height));
    j["block"] = *height;
    j["accepted"] = true;
    human += fmt::format("accepted in block {}\n", *height);
  }
  Print(g, j, human);
}

void AddCommon(CLI::App* c, OpOpts& o, const char* key_help) {
  c->add_option("--key", o.key, std::string(key_help) + " (default with a keychain: its owner key)");
  AddKeychainOptions(c, o.keys);
  c->add_option("--utxo", o.utxos, "Spend these outputs of --key, TXID:VOUT:SATOSHIS (default: the node's wallet)");
  c->add_option("--fee-rate", o.fee_rate, "Fee in satoshis per byte")->capture_default_str();
  c->add_option("--magic", o.magic, "Two-character network prefix")->capture_default_str();
  c->add_flag("--dry-run", o.dry_run, "Print the signed transaction(s) instead of broadcasting");
  c->add_flag("--wait", o.wait, "Wait until the node has accepted the operation");
  c->add_option("--confirmations", o.confirmations, "Blocks to wait for")->capture_default_str();
  c->add_option("--timeout", o.timeout, "Seconds to wait at most")->capture_default_str();
  c->add_flag("--quiet", o.quiet, "No progress output");
}

void AddPayer(CLI::App* c, OpOpts& o) {
  c->add_option("--payer-key", o.payer_key,
                "Another key that pays the fee (the owner still signs input 0); with a keychain e.g. payment");
}

// A title, then one line per field of a JSON object.
std::string FieldsHuman(const std::string& title, const json& j) {
  std::string out = title + "\n";
  for (const auto& [k, v] : j.items())
    out += fmt::format("  {:22} {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

// Runs fn and reports its error.
template <typename Fn>
void Guard(Globals& g, Fn&& fn) {
  util::Status st = fn();
  if (!st) ReportSent(g, st.error());
}

void AddNamespaceCommands(CLI::App& app, Globals& g) {
  auto* nsc = app.add_subcommand("namespace", "Create a namespace: preorder, reveal, ready");
  nsc->require_subcommand(1);
  auto o = std::make_shared<OpOpts>();

  auto* pre = nsc->add_subcommand("preorder", "NAMESPACE_PREORDER: pay for a namespace ID (hidden until revealed)");
  pre->add_option("ID", o->name, "Namespace ID")->required();
  pre->add_option("--reveal-address", o->owner, "The address that will reveal it (default: the key's)");
  AddCommon(pre, *o, "The paying key (it must also send the reveal)");
  pre->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckNamespace(o->name));
      BS_TRY(Session s, Session::Open(g, *o, true));
      BS_TRY(auto payer, s.LoadSingleKeyParty(o->key, "a namespace's preorderer (it must also reveal it)"));
      std::string reveal = o->owner.empty() ? s.Address(payer) : o->owner;
      BS_CHECK_OK(s.Script(reveal));
      BS_TRY(int64_t price, s.Node().NamespacePrice(o->name));
      BS_TRY(std::string ch, s.Node().ConsensusHash());
      BS_TRY(auto hash, PreorderHashFor(o->name, payer, reveal));
      auto payload = ops::BuildNamespacePreorder(o->magic, hash, ch);
      BS_TRY(auto tx, client::PreorderTx(payload, payer, {price, bitcoin::MakeP2pkhScript(util::Hash160{})}, Fee(*o)));
      BS_TRY(auto txid, s.Send("namespace preorder", tx));
      Finish(g, s, *o, "namespace preorder", txid, {{"price", price}, {"reveal_address", reveal}});
      return util::Ok();
    });
  });

  auto* rev = nsc->add_subcommand("reveal", "NAMESPACE_REVEAL: publish a preordered namespace's rules");
  rev->add_option("ID", o->name, "Namespace ID")->required();
  rev->add_option("--reveal-address", o->owner, "The revealer's address, as preordered (default: the key's)");
  AddRevealOptions(rev, o->reveal);
  AddCommon(rev, *o, "The key that sent the preorder");
  rev->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckNamespace(o->name));
      BS_TRY(auto r, MakeRevealOp(o->name, o->reveal, 2));
      BS_TRY(Session s, Session::Open(g, *o, o->wait));
      BS_TRY(auto payer, s.LoadSingleKeyParty(o->key, "a namespace's revealer"));
      std::string reveal = o->owner.empty() ? s.Address(payer) : o->owner;
      BS_TRY(auto reveal_script, s.Script(reveal));
      BS_TRY(auto tx, client::RecipientTx(ops::BuildReveal(o->magic, r), payer, reveal_script, Fee(*o)));
      BS_TRY(auto txid, s.Send("namespace reveal", tx));
      Finish(g, s, *o, "namespace reveal", txid, {{"reveal_address", reveal}});
      return util::Ok();
    });
  });

  auto* show = nsc->add_subcommand("show", "Print a namespace's record as the node has it (revealed or ready)");
  show->add_option("ID", o->name, "Namespace ID")->required();
  show->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckNamespace(o->name));
      BS_TRY(auto node, client::NodeClient::Create(g.node));
      BS_TRY(json ns, node->Namespace(o->name));
      Print(g, ns, FieldsHuman("namespace " + o->name, ns));
      return util::Ok();
    });
  });

  auto* ready = nsc->add_subcommand("ready", "NAMESPACE_READY: open a revealed namespace to everyone");
  ready->add_option("ID", o->name, "Namespace ID")->required();
  AddCommon(ready, *o, "The revealer's key");
  ready->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckNamespace(o->name));
      BS_TRY(Session s, Session::Open(g, *o, o->wait));
      BS_TRY(auto sender, s.LoadSingleKeyParty(o->key, "a namespace's revealer"));
      BS_TRY(auto tx, client::SenderTx(ops::BuildReady(o->magic, o->name), sender, Fee(*o)));
      BS_TRY(auto txid, s.Send("namespace ready", tx));
      Finish(g, s, *o, "namespace ready", txid);
      return util::Ok();
    });
  });
}

void AddNameOps(CLI::App& app, Globals& g) {
  auto* name = app.add_subcommand("name", "Name operations: import, preorder, register, update, transfer, renew, revoke");
  name->require_subcommand(1);
  auto o = std::make_shared<OpOpts>();

  auto page = std::make_shared<std::optional<uint32_t>>();
  auto* hist = name->add_subcommand("history", "Print a name's history as the node has it: {block: [state, ...]}");
  hist->add_option("NAME", o->name, "name.namespace or a subdomain")->required();
  hist->add_option("--page", *page, "One page of 20 entries (default: every page)");
  hist->callback([&g, o, page] {
    Guard(g, [&]() -> util::Status {
      BS_TRY(auto node, client::NodeClient::Create(g.node));
      BS_TRY(json h, node->NameHistory(o->name, *page));
      std::vector<std::pair<uint64_t, std::string>> lines;
      for (const auto& [block, states] : h.items()) {
        for (const auto& st : states) {
          lines.emplace_back(std::stoull(block), fmt::format("{:>8}  {:<20} {}  {}", block, st.value("opcode", "?"),
                                                             st.value("txid", ""), st.value("address", "")));
        }
      }
      std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string human;
      for (const auto& l : lines) human += l.second + "\n";
      Print(g, h, human);
      return util::Ok();
    });
  });

  auto* rec =
      name->add_subcommand("record", "Print a name's record as the chain has it (the node's blockchain record)");
  rec->add_option("NAME", o->name, "name.namespace or a subdomain")->required();
  rec->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_TRY(auto node, client::NodeClient::Create(g.node));
      BS_TRY(json r, node->BlockchainRecord(o->name));
      Print(g, r, FieldsHuman(o->name, r));
      return util::Ok();
    });
  });

  // A subdomain through its domain's registrar (the original registrar API).
  auto api_key = std::make_shared<std::string>();
  auto* rsub =
      name->add_subcommand("register-subdomain", "Ask a domain's registrar for a subdomain, then report its status");
  rsub->add_option("NAME", o->name, "leaf.name.namespace")->required();
  rsub->add_option("--registrar", o->to, "The registrar's URL")->required();
  rsub->add_option("--owner", o->owner, "The owner's address (default: the keychain's owner key's)");
  rsub->add_option("--zonefile", o->zonefile, "The subdomain's own zone file (default: one with no records)");
  rsub->add_option("--api-key", *api_key, "A key the registrar gave you (sent as Authorization: bearer KEY)");
  AddKeychainOptions(rsub, o->keys);
  rsub->add_flag("--wait", o->wait, "Wait until the registrar has anchored it on chain");
  rsub->add_option("--timeout", o->timeout, "Seconds to wait at most (also for each answer)")->capture_default_str();
  rsub->callback([&g, o, api_key] {
    Guard(g, [&]() -> util::Status {
      auto split = subdomain::SplitSubdomainName(o->name);
      if (!split) return Fail(ErrorCode::InvalidArgument, "'" + o->name + "' is not a subdomain (leaf.name.namespace)");
      BS_TRY(auto net, NetworkOf(g));
      std::string owner = o->owner;
      if (owner.empty()) {
        if (!o->keys.HasKeychain()) return Fail(ErrorCode::InvalidArgument, "give --owner ADDRESS, or a keychain");
        BS_TRY(auto key, ResolveKey(o->keys, ""));
        owner = bitcoin::P2pkhAddress(key.GetPublicKey(), net);
      }
      BS_CHECK_OK(bitcoin::ScriptFromAddress(owner, net));
      std::string zonefile = "$ORIGIN " + o->name + "\n$TTL 3600\n";
      if (!o->zonefile.empty()) {
        BS_TRY(zonefile, ReadFileText(o->zonefile));
      }
      auto per_answer = std::chrono::milliseconds(static_cast<int64_t>(std::min(o->timeout, 30.0) * 1000));
      BS_TRY(auto registrar, client::RegistrarClient::Create(o->to, per_answer));
      BS_TRY(json answer, registrar->Register(split->leaf, owner, zonefile, *api_key));
      BS_TRY(std::string status, registrar->Status(split->leaf));
      Progress progress(1, o->quiet || g.json_output || !o->wait);
      if (o->wait) {
        progress.Step(1, "waiting for the registrar to anchor " + o->name);
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o->timeout * 1000));
        while (status != "Subdomain propagated") {
          if (std::chrono::steady_clock::now() > deadline) {
            return Fail(ErrorCode::Timeout, "gave up waiting for " + o->name + "; the registrar says: " + status);
          }
          progress.Detail(status);
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          BS_TRY(status, registrar->Status(split->leaf));
        }
        progress.Done(o->name + " is on chain");
      }
      json j{{"name", o->name},
             {"owner", owner},
             {"registrar", o->to},
             {"accepted", true},
             {"message", answer.value("message", "")},
             {"status", status}};
      Print(g, j,
            fmt::format("{} requested for {}\n  registrar: {}\n  status: {}\n", o->name, owner,
                        answer.value("message", ""), status));
      return util::Ok();
    });
  });

  auto* imp = name->add_subcommand("import", "NAME_IMPORT: put a name into a revealed namespace");
  imp->add_option("NAME", o->name, "name.namespace")->required();
  imp->add_option("--to", o->to, "The owner's address")->required();
  imp->add_option("--zonefile", o->zonefile, "Zone file to bind (published once accepted, with --wait)");
  imp->add_option("--zonefile-hash", o->zonefile_hash, "Or only its hash");
  AddCommon(imp, *o, "The revealer's key, or one of its import keys");
  imp->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckName(o->name));
      BS_TRY(auto zf, ReadZonefileArg(*o));
      if (!zf.hash) return Fail(ErrorCode::InvalidArgument, "NAME_IMPORT needs --zonefile or --zonefile-hash");
      BS_TRY(Session s, Session::Open(g, *o, o->wait || zf.text));
      BS_TRY(auto importer, s.LoadSingleKeyParty(o->key, "an importer"));
      BS_TRY(auto to, s.Script(o->to));
      BS_TRY(auto tx, client::ImportTx(ops::BuildImport(o->magic, o->name), importer, to, *zf.hash, Fee(*o)));
      BS_TRY(auto txid, s.Send("name import", tx));
      Finish(g, s, *o, "name import", txid, {{"zonefile_hash", zf.hash->Hex()}});
      if (zf.text && o->wait && !o->dry_run && g.rc == EXIT_OK) BS_CHECK_OK(s.Node().PublishZonefile(*zf.text));
      return util::Ok();
    });
  });

  auto* pre = name->add_subcommand("preorder", "NAME_PREORDER: commit to a name (register it in a later block)");
  pre->add_option("NAME", o->name, "name.namespace")->required();
  pre->add_option("--owner", o->owner, "The address that will own it (default: the key's)");
  AddCommon(pre, *o, "The paying key (it must also send the registration)");
  pre->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckName(o->name));
      BS_TRY(Session s, Session::Open(g, *o, true));
      BS_TRY(auto payer, s.LoadParty(o->key, true));
      std::string owner = o->owner.empty() ? s.Address(payer) : o->owner;
      BS_CHECK_OK(s.Script(owner));
      BS_CHECK_OK(CheckNamespaceReady(s.Node(), o->name));
      BS_TRY(auto hash, PreorderHashFor(o->name, payer, owner));
      BS_TRY(auto earlier, s.LivePreorder(hash, payer.Script(), o->magic));
      if (earlier) {
        return Fail(ErrorCode::InvalidArgument,
                    fmt::format("a preorder of {} by this key for {} is live already ({}, {}): `blockstack name "
                                "register {}` goes on from it without paying again",
                                o->name, owner, (*earlier)["txid"].get<std::string>(),
                                (*earlier)["confirmed"].get<bool>() ? "confirmed" : "not confirmed yet", o->name));
      }
      int64_t paid = 0;
      BS_TRY(auto tx, NamePreorder(s, *o, payer, owner, &paid));
      BS_TRY(auto txid, s.Send("name preorder", tx));
      Finish(g, s, *o, "name preorder", txid, {{"price", paid}, {"owner", owner}});
      return util::Ok();
    });
  });

  auto* reg = name->add_subcommand(
      "register", "Preorder, wait, register and publish the zone file: the whole registration in one command");
  reg->add_option("NAME", o->name, "name.namespace")->required();
  reg->add_option("--owner", o->owner, "The address that will own it (default: the key's)");
  reg->add_option("--zonefile", o->zonefile, "Zone file to bind and publish");
  reg->add_option("--zonefile-hash", o->zonefile_hash, "Or only its hash");
  reg->add_flag("--skip-preorder", o->skip_preorder, "The name is already preordered: only register");
  AddCommon(reg, *o, "The paying key");
  reg->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_CHECK_OK(CheckName(o->name));
      BS_TRY(auto zf, ReadZonefileArg(*o));
      BS_TRY(Session s, Session::Open(g, *o, true));
      BS_TRY(auto payer, s.LoadParty(o->key, true));
      std::string owner = o->owner.empty() ? s.Address(payer) : o->owner;
      BS_TRY(auto owner_script, s.Script(owner));
      const bool live = !o->dry_run;
      std::size_t steps = (o->skip_preorder ? 0 : 2) + 2 + (zf.text ? 1 : 0);
      Progress progress(steps, o->quiet || g.json_output || !live);
      std::size_t step = 0;
      json j{{"name", o->name}, {"owner", owner}};
      BS_CHECK_OK(CheckNamespaceReady(s.Node(), o->name));
      if (!o->skip_preorder) {
        BS_TRY(auto info, s.Node().Name(o->name));
        if (info.state == client::NameState::Registered || info.state == client::NameState::Revoked) {
          return Fail(ErrorCode::InvalidArgument, o->name + " is already registered");
        }
        BS_TRY(auto hash, PreorderHashFor(o->name, payer, owner));
        BS_TRY(auto earlier, live ? s.LivePreorder(hash, payer.Script(), o->magic) : std::optional<json>());
        std::string txid;
        if (earlier) {
          // Run again after a timeout (or twice): the first preorder is still
          // live, so it is registered rather than paid for a second time.
          txid = (*earlier)["txid"].get<std::string>();
          j["preorder_reused"] = true;
          progress.Step(++step, "the preorder " + txid.substr(0, 16) + "... of " + o->name +
                                    " by this key is live: no second preorder");
        } else {
          int64_t paid = 0;
          BS_TRY(auto tx, NamePreorder(s, *o, payer, owner, &paid));
          progress.Step(++step, fmt::format("preordering {} for {} satoshis", o->name, paid));
          BS_TRY(txid, s.Send("name preorder", tx));
          j["price"] = paid;
        }
        j["preorder_txid"] = txid;
        if (live) {
          progress.Step(++step, "waiting for the preorder " + txid.substr(0, 16) + "... to confirm");
          auto h = s.WaitAccepted(txid, progress);
          if (!h && h.error().code == ErrorCode::Timeout) {
            return Fail(ErrorCode::Timeout, h.error().message + "; the preorder " + txid +
                                                " is sent: run the same command again to go on from it (it pays "
                                                "for no second preorder while this one is live)");
          }
          if (!h) return Fail(h.error());
          j["preorder_block"] = *h;
        }
      }
      BS_TRY(auto tx, client::RecipientTx(ops::BuildRegistration(o->magic, o->name, zf.hash), payer, owner_script, Fee(*o)));
      if (live) progress.Step(++step, "registering " + o->name);
      BS_TRY(auto txid, s.Send("name register", tx));
      j["register_txid"] = txid;
      if (zf.hash) j["zonefile_hash"] = zf.hash->Hex();
      if (o->dry_run) {
        PrintDryRun(g, s, j);
        return util::Ok();
      }
      progress.Step(++step, "waiting for the registration " + txid.substr(0, 16) + "... to confirm");
      auto waited = s.WaitAccepted(txid, progress);
      if (!waited && waited.error().code == ErrorCode::Timeout) {
        return Fail(ErrorCode::Timeout,
                    waited.error().message + "; the registration " + txid + " is sent: once it confirms, " +
                        (zf.text ? "give the node the zone file with `blockstack zonefile publish " + o->zonefile + "`"
                                 : "`blockstack whois " + o->name + "` shows it"));
      }
      if (!waited) return Fail(waited.error());
      const uint32_t h = *waited;
      j["register_block"] = h;
      if (zf.text) {
        progress.Step(++step, "publishing the zone file");
        BS_CHECK_OK(s.Node().PublishZonefile(*zf.text));
        j["zonefile_published"] = true;
      }
      progress.Done(fmt::format("{} registered to {} in block {}", o->name, owner, h));
      Print(g, j, fmt::format("{} registered to {} in block {}{}\n", o->name, owner, h,
                              zf.text ? ", zone file published" : ""));
      return util::Ok();
    });
  });

  // The owner's operations: update, transfer, renew, revoke.
  auto owner_op = [&g, o](const std::string& which) {
    return [&g, o, which] {
      Guard(g, [&]() -> util::Status {
        BS_CHECK_OK(CheckName(o->name));
        BS_TRY(auto zf, ReadZonefileArg(*o));
        if (which == "update" && !zf.hash) return Fail(ErrorCode::InvalidArgument, "update needs --zonefile or --zonefile-hash");
        BS_TRY(Session s, Session::Open(g, *o, true));
        BS_TRY(auto owner, s.LoadParty(o->key, o->payer_key.empty()));
        std::optional<client::Party> payer;
        if (!o->payer_key.empty()) {
          BS_TRY(payer, s.LoadParty(o->payer_key, true));
        }
        client::Party* payer_ptr = payer ? &*payer : nullptr;
        BS_TRY(auto info, s.Node().Name(o->name));
        if (info.state != client::NameState::Registered) {
          return Fail(ErrorCode::NotFound, o->name + (info.state == client::NameState::Revoked ? " is revoked"
                                                      : info.state == client::NameState::Expired ? " has expired"
                                                                                                  : " is not registered"));
        }
        if (!subdomain::SameOwner(info.address, s.Address(owner))) {
          return Fail(ErrorCode::Unauthorized, o->name + " is owned by " + info.address + ", not by --key's " + s.Address(owner));
        }
        std::string what = "name " + which;
        util::Result<client::BuiltTx> tx = Fail(ErrorCode::InvalidArgument, "unknown operation");
        json extra = json::object();
        if (which == "update") {
          BS_TRY(std::string ch, s.Node().ConsensusHash());
          tx = client::OwnerTx(ops::BuildUpdate(o->magic, o->name, ch, *zf.hash), owner, payer_ptr, std::nullopt, Fee(*o));
          extra["zonefile_hash"] = zf.hash->Hex();
        } else if (which == "transfer") {
          BS_TRY(auto to, s.Script(o->to));
          BS_TRY(std::string ch, s.Node().ConsensusHash());
          tx = client::OwnerTx(ops::BuildTransfer(o->magic, o->name, !o->remove_data, ch), owner, payer_ptr, to, Fee(*o));
          extra["to"] = o->to;
        } else if (which == "renew") {
          std::string to_addr = o->to.empty() ? s.Address(owner) : o->to;
          BS_TRY(auto to, s.Script(to_addr));
          BS_TRY(int64_t price, s.Node().NamePrice(o->name));
          BS_TRY(auto burn, NameBurnOutput(s, o->name, price));
          tx = client::RenewTx(ops::BuildRegistration(o->magic, o->name, zf.hash), owner, payer_ptr, to, burn, Fee(*o));
          extra["price"] = burn.value;
          extra["owner"] = to_addr;
        } else if (which == "revoke") {
          tx = client::OwnerTx(ops::BuildRevoke(o->magic, o->name), owner, payer_ptr, std::nullopt, Fee(*o));
        }
        if (!tx) return util::Fail(tx.error());
        BS_TRY(auto txid, s.Send(what, *tx));
        Finish(g, s, *o, what, txid, extra);
        if (zf.text && o->wait && !o->dry_run && g.rc == EXIT_OK) BS_CHECK_OK(s.Node().PublishZonefile(*zf.text));
        return util::Ok();
      });
    };
  };
  auto* upd = name->add_subcommand("update", "NAME_UPDATE: bind a new zone file (published once accepted, with --wait)");
  upd->add_option("NAME", o->name, "name.namespace")->required();
  upd->add_option("--zonefile", o->zonefile, "The new zone file");
  upd->add_option("--zonefile-hash", o->zonefile_hash, "Or only its hash");
  AddCommon(upd, *o, "The owner's key");
  AddPayer(upd, *o);
  upd->callback(owner_op("update"));

  auto* xfer = name->add_subcommand("transfer", "NAME_TRANSFER: give the name to another address");
  xfer->add_option("NAME", o->name, "name.namespace")->required();
  xfer->add_option("--to", o->to, "The new owner's address")->required();
  xfer->add_flag("--remove-data", o->remove_data, "Clear the zone-file hash");
  AddCommon(xfer, *o, "The owner's key");
  AddPayer(xfer, *o);
  xfer->callback(owner_op("transfer"));

  auto* renew = name->add_subcommand("renew", "NAME_RENEWAL: pay for another lifetime (optionally to a new owner)");
  renew->add_option("NAME", o->name, "name.namespace")->required();
  renew->add_option("--to", o->to, "New owner's address (default: the current owner)");
  renew->add_option("--zonefile", o->zonefile, "A new zone file");
  renew->add_option("--zonefile-hash", o->zonefile_hash, "Or only its hash");
  AddCommon(renew, *o, "The owner's key");
  AddPayer(renew, *o);
  renew->callback(owner_op("renew"));

  auto* revoke = name->add_subcommand("revoke", "NAME_REVOKE: disable the name until it expires");
  revoke->add_option("NAME", o->name, "name.namespace")->required();
  AddCommon(revoke, *o, "The owner's key");
  AddPayer(revoke, *o);
  revoke->callback(owner_op("revoke"));
}

}  // namespace

// ANNOUNCE: a message from the owner of a name on the node's announcer list,
// whose hash is one of that name's zone-file hashes (update the name with the
// message as its zone file first; the node then holds the text).
void AddAnnounce(CLI::App& app, Globals& g) {
  auto o = std::make_shared<OpOpts>();
  auto* ann = app.add_subcommand("announce", "ANNOUNCE: point every node at a message (owners of announcer names)");
  ann->add_option("--message-file", o->zonefile, "The message (its hash160 is announced)");
  ann->add_option("--message-hash", o->zonefile_hash, "Or only its hash160, hex");
  AddCommon(ann, *o, "The announcer name's owner key");
  ann->callback([&g, o] {
    Guard(g, [&]() -> util::Status {
      BS_TRY(auto zf, ReadZonefileArg(*o));
      if (!zf.hash) return Fail(ErrorCode::InvalidArgument, "give --message-file or --message-hash");
      BS_TRY(Session s, Session::Open(g, *o, o->wait));
      BS_TRY(auto sender, s.LoadParty(o->key, true));
      BS_TRY(auto tx, client::SenderTx(ops::BuildAnnounce(o->magic, *zf.hash), sender, Fee(*o)));
      BS_TRY(auto txid, s.Send("announce", tx));
      Finish(g, s, *o, "announce", txid, {{"message_hash", zf.hash->Hex()}});
      return util::Ok();
    });
  });
}

util::Result<json> UpdateZonefile(Globals& g, const KeyOpts& keys, const std::string& owner_spec,
                                  const std::string& payer_spec, const std::string& name,
                                  const std::string& zonefile_text) {
  OpOpts o;
  o.name = name;
  o.keys = keys;
  o.key = owner_spec;
  o.payer_key = payer_spec;
  o.wait = true;
  BS_CHECK_OK(CheckName(name));
  if (zonefile_text.size() > zonefile::MAX_ZONEFILE_BYTES)
    return Fail(ErrorCode::TooLarge, "the zone file is over 40960 bytes");
  const auto hash = crypto::Hash160Of(util::AsBytes(zonefile_text));
  BS_TRY(Session s, Session::Open(g, o, true));
  BS_TRY(auto owner, s.LoadParty(o.key, payer_spec.empty()));
  std::optional<client::Party> payer;
  if (!payer_spec.empty()) {
    BS_TRY(payer, s.LoadParty(payer_spec, true));
  }
  BS_TRY(auto info, s.Node().Name(name));
  if (info.state != client::NameState::Registered) return Fail(ErrorCode::NotFound, name + " is not registered");
  if (!subdomain::SameOwner(info.address, s.Address(owner))) {
    return Fail(ErrorCode::Unauthorized, name + " is owned by " + info.address + ", not by " + s.Address(owner));
  }
  BS_TRY(std::string ch, s.Node().ConsensusHash());
  BS_TRY(auto tx, client::OwnerTx(ops::BuildUpdate(o.magic, name, ch, hash), owner, payer ? &*payer : nullptr,
                                  std::nullopt, Fee(o)));
  BS_TRY(auto txid, s.Send("name update", tx));
  Progress progress(1, true);
  BS_TRY(uint32_t height, s.WaitAccepted(txid, progress));
  BS_CHECK_OK(s.Node().PublishZonefile(zonefile_text));
  return json{{"txid", txid}, {"block", height}, {"zonefile_hash", hash.Hex()}};
}

void AddNameCommands(CLI::App& app, Globals& g) {
  AddNamespaceCommands(app, g);
  AddNameOps(app, g);
  AddAnnounce(app, g);
}

}  // namespace blockstack::cli
