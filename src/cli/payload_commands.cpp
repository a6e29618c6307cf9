// blockstack payload: the OP_RETURN data of every name operation, built by the
// same code the node parses with (bns/ops).
#include <CLI/CLI.hpp>

#include <bitcoin/address.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <bns/names.h>
#include <bns/ops/ops.h>
#include <cli/common.h>
#include <crypto/hash.h>

namespace blockstack::cli {
namespace {

namespace ops = bns::ops;

struct PayloadOpts {
  std::string name, key, owner, consensus_hash, zonefile_hash, magic = "id";
  bool remove_data = false;
  RevealArgs reveal;
  KeyOpts keys;
};

util::Result<std::optional<util::Hash160>> OptHash(const std::string& hex) {
  if (hex.empty()) return std::optional<util::Hash160>{};
  BS_TRY(util::Hash160 h, util::Hash160::FromHex(hex));
  return std::optional<util::Hash160>(h);
}

util::Status CheckCh(const std::string& ch) {
  if (ch.size() != 32 || !util::IsHex(ch)) {
    return util::Fail(util::ErrorCode::InvalidArgument, "--consensus-hash must be 32 hex characters");
  }
  return util::Ok();
}

// The preorder hash of `id` for the key's script and `owner` (default: the key's
// own address on this network).
util::Result<util::Hash160> PreorderHash(const Globals& g, const PayloadOpts& o) {
  BS_TRY(auto net, NetworkOf(g));
  BS_TRY(auto spender, ResolveSpender(o.keys, o.key));
  const util::Bytes& script = spender.ScriptPubKey();
  std::string owner = o.owner.empty() ? bitcoin::AddressFromScript(script, net).value_or("") : o.owner;
  BS_CHECK_OK(bitcoin::ScriptFromAddress(owner, net));
  return bns::HashName(o.name, script, owner);
}

util::Result<util::Bytes> Build(const std::string& which, const Globals& g, const PayloadOpts& o) {
  const std::string& m = o.magic;
  if (which == "namespace-preorder" || which == "namespace-ready" || which == "namespace-reveal") {
    if (auto problem = bns::NamespaceIdProblem(o.name)) {
      return util::Fail(util::ErrorCode::InvalidArgument, "invalid namespace ID '" + o.name + "': " + *problem);
    }
  } else if (auto problem = bns::NameProblem(o.name)) {
    return util::Fail(util::ErrorCode::InvalidArgument, "invalid name '" + o.name + "': " + *problem);
  }
  if (which == "namespace-preorder" || which == "name-preorder") {
    BS_CHECK_OK(CheckCh(o.consensus_hash));
    BS_TRY(util::Hash160 h, PreorderHash(g, o));
    return which == "name-preorder" ? ops::BuildNamePreorder(m, h, o.consensus_hash)
                                    : ops::BuildNamespacePreorder(m, h, o.consensus_hash);
  }
  if (which == "namespace-reveal") {
    BS_TRY(auto r, MakeRevealOp(o.name, o.reveal, 3));
    return ops::BuildReveal(m, r);
  }
  if (which == "namespace-ready") return ops::BuildReady(m, o.name);
  if (which == "name-import") return ops::BuildImport(m, o.name);
  if (which == "name-register" || which == "name-renew") {
    BS_TRY(auto zh, OptHash(o.zonefile_hash));
    return ops::BuildRegistration(m, o.name, zh);
  }
  if (which == "name-update") {
    BS_CHECK_OK(CheckCh(o.consensus_hash));
    BS_TRY(util::Hash160 zh, util::Hash160::FromHex(o.zonefile_hash));
    return ops::BuildUpdate(m, o.name, o.consensus_hash, zh);
  }
  if (which == "name-transfer") {
    BS_CHECK_OK(CheckCh(o.consensus_hash));
    return ops::BuildTransfer(m, o.name, !o.remove_data, o.consensus_hash);
  }
  if (which == "name-revoke") return ops::BuildRevoke(m, o.name);
  return util::Fail(util::ErrorCode::InvalidArgument, "unknown operation " + which);
}

struct AnchorOpts {
  std::string tx, name, check, magic = "id";
};

// The consensus hash a name operation's transaction carries: preorders and
// transfers carry it as it is; an update carries it hashed with the name, so a
// candidate can only be checked.
util::Result<nlohmann::json> Anchor(const Globals& g, const AnchorOpts& o) {
  util::Bytes raw;
  if (util::IsLowerHex(o.tx, 64)) {
    BS_TRY(auto client, BitcoinRpc(g.bitcoind));
    BS_TRY(auto txid, util::Hash256::FromReversedHex(o.tx));
    BS_TRY(auto got, client->GetRawTransactions(std::span<const util::Hash256>(&txid, 1)));
    if (got.empty()) return util::Fail(util::ErrorCode::NotFound, "the Bitcoin node has no transaction " + o.tx);
    raw = std::move(got[0]);
  } else {
    auto bytes = util::FromHex(o.tx);
    if (!bytes)
      return util::Fail(util::ErrorCode::InvalidArgument, "TX is neither a txid nor a raw transaction in hex");
    raw = std::move(*bytes);
  }
  util::Hash256 txid;
  BS_TRY(auto tx, bitcoin::ParseTransaction(raw, &txid));
  std::optional<util::ByteView> payload;
  for (const auto& out : tx.outputs) {
    auto p = bitcoin::OpReturnPayload(out.script_pubkey);
    if (p && p->size() >= 3 && std::string_view(reinterpret_cast<const char*>(p->data()), 2) == o.magic) payload = p;
  }
  if (!payload) {
    return util::Fail(util::ErrorCode::InvalidArgument,
                      "transaction " + txid.ReversedHex() + " carries no '" + o.magic + "' name operation");
  }
  const char op = static_cast<char>((*payload)[2]);
  const util::ByteView body = payload->subspan(3);
  nlohmann::json j{{"txid", txid.ReversedHex()}, {"opcode", std::string(1, op)}};
  if ((op == ops::NAME_PREORDER || op == ops::NAMESPACE_PREORDER) && body.size() >= 36) {
    j["consensus_hash"] = util::ToHex(body.subspan(20, 16));
  } else if (op == ops::NAME_TRANSFER && body.size() == 33) {
    j["consensus_hash"] = util::ToHex(body.subspan(17, 16));
  } else if (op == ops::NAME_UPDATE && body.size() >= 16) {
    const std::string committed = util::ToHex(body.subspan(0, 16));
    j["name_consensus_hash"] = committed;
    if (o.name.empty() || o.check.empty()) {
      return util::Fail(util::ErrorCode::InvalidArgument,
                        "a NAME_UPDATE carries its consensus hash hashed with the name (" + committed +
                            "): give --name NAME --check CH to check a candidate");
    }
    if (bns::NameConsensusHash(o.name, o.check) != committed) {
      return util::Fail(util::ErrorCode::InvalidArgument,
                        o.check + " is not the consensus hash this update of " + o.name + " carries");
    }
    j["consensus_hash"] = o.check;
  } else {
    return util::Fail(util::ErrorCode::InvalidArgument, std::string("operation '") + op +
                                                            "' carries no consensus hash (preorders, updates and "
                                                            "transfers do)");
  }
  return j;
}

}  // namespace

void AddAnchorCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<AnchorOpts>();
  auto* cmd = app.add_subcommand(
      "anchor", "Print the consensus hash a name operation's transaction carries: a hash to trust (doc/proofs.md)");
  cmd->add_option("TX", o->tx, "A txid (asked of --bitcoind) or the raw transaction in hex")->required();
  cmd->add_option("--name", o->name, "For a NAME_UPDATE: the name it updates");
  cmd->add_option("--check", o->check, "For a NAME_UPDATE: the consensus hash to check it against");
  cmd->add_option("--magic", o->magic, "Two-character prefix")->capture_default_str();
  cmd->callback([&g, o] {
    auto j = Anchor(g, *o);
    if (!j) return Report(g, j.error());
    Print(g, *j, (*j)["consensus_hash"].get<std::string>() + "\n");
  });
}

void AddPayloadCommands(CLI::App& app, Globals& g) {
  auto* payload = app.add_subcommand("payload", "Print the OP_RETURN data (hex) of a name operation");
  payload->require_subcommand(1);
  auto o = std::make_shared<PayloadOpts>();
  struct Sub {
    const char* name;
    const char* help;
  };
  const Sub subs[] = {
      {"namespace-preorder", "NAMESPACE_PREORDER: ID --key K [--owner REVEAL_ADDRESS] --consensus-hash CH"},
      {"namespace-reveal", "NAMESPACE_REVEAL: ID --lifetime --coeff --base --buckets --nonalpha-discount --no-vowel-discount --version"},
      {"namespace-ready", "NAMESPACE_READY: ID"},
      {"name-import", "NAME_IMPORT: NAME"},
      {"name-preorder", "NAME_PREORDER: NAME --key K [--owner ADDRESS] --consensus-hash CH"},
      {"name-register", "NAME_REGISTRATION: NAME [--zonefile-hash H]"},
      {"name-renew", "NAME_RENEWAL: NAME [--zonefile-hash H]"},
      {"name-update", "NAME_UPDATE: NAME --consensus-hash CH --zonefile-hash H"},
      {"name-transfer", "NAME_TRANSFER: NAME --consensus-hash CH [--remove-data]"},
      {"name-revoke", "NAME_REVOKE: NAME"},
  };
  for (const auto& sub : subs) {
    auto* c = payload->add_subcommand(sub.name, sub.help);
    c->add_option("NAME", o->name, "Name or namespace ID")->required();
    c->add_option("--magic", o->magic, "Two-character prefix")->capture_default_str();
    std::string which = sub.name;
    if (which.ends_with("preorder")) {
      c->add_option("--key", o->key, "The preorderer's private key (default with a keychain: its owner key)");
      AddKeychainOptions(c, o->keys);
      c->add_option("--owner", o->owner, "The address that will own the name (or reveal the namespace)");
    }
    if (which.ends_with("preorder") || which == "name-update" || which == "name-transfer") {
      c->add_option("--consensus-hash", o->consensus_hash, "A consensus hash from the last 24 blocks")->required();
    }
    if (which == "name-register" || which == "name-renew" || which == "name-update") {
      auto* opt = c->add_option("--zonefile-hash", o->zonefile_hash, "hash160 of the zone file, hex");
      if (which == "name-update") opt->required();
    }
    if (which == "name-transfer") c->add_flag("--remove-data", o->remove_data, "Clear the zone-file hash");
    if (which == "namespace-reveal") {
      AddRevealOptions(c, o->reveal);
    }
    c->callback([&g, o, which] {
      auto data = Build(which, g, *o);
      if (!data) return Report(g, data.error());
      Print(g, nlohmann::json{{"payload", util::ToHex(*data)}}, util::ToHex(*data) + "\n");
    });
  }
}

}  // namespace blockstack::cli
