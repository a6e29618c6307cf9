// blockstack payload: the OP_RETURN data of every name operation, built by the
// same code the node parses with (bns/ops).
#include <CLI/CLI.hpp>

#include <bitcoin/address.h>
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

}  // namespace

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
