// blockstack price|lookup|whois|names|zonefile|profile: reading names through a
// node, resolving them end to end, and making zone files and profiles.
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include <ctime>
#include <iostream>

#include <bitcoin/address.h>
#include <bns/names.h>
#include <cli/common.h>
#include <cli/verified_lookup.h>
#include <client/gaia_client.h>
#include <client/node_client.h>
#include <client/resolver.h>
#include <crypto/hash.h>
#include <crypto/keys.h>
#include <subdomain/record.h>
#include <zonefile/profile.h>
#include <zonefile/zonefile.h>

namespace blockstack::cli {
namespace {

using nlohmann::json;
using util::ErrorCode;

util::Result<std::unique_ptr<client::NodeClient>> Node(const Globals& g) { return client::NodeClient::Create(g.node); }

int ExitCodeForLookup(client::LookupFailure f) {
  using client::LookupFailure;
  switch (f) {
    case LookupFailure::NodeUnreachable: return EXIT_UNREACHABLE;
    case LookupFailure::NameUnknown: return EXIT_NAME_UNKNOWN;
    case LookupFailure::NameExpired: return EXIT_NAME_EXPIRED;
    case LookupFailure::NameRevoked: return EXIT_NAME_REVOKED;
    case LookupFailure::ZonefileMissing: return EXIT_ZONEFILE_MISSING;
    case LookupFailure::HashMismatch: return EXIT_HASH_MISMATCH;
    case LookupFailure::NoProfileUrl: return EXIT_NO_PROFILE_URL;
    case LookupFailure::BadSignature: return EXIT_BAD_SIGNATURE;
    case LookupFailure::StorageUnreachable: return EXIT_STORAGE_UNREACHABLE;
    case LookupFailure::StorageMissing: return EXIT_STORAGE_MISSING;
    case LookupFailure::DecryptFailed: return EXIT_DECRYPT_FAILED;
  }
  return EXIT_INTERNAL;
}

std::string Satoshis(int64_t sats) { return fmt::format("{} satoshis ({}.{:08d} BTC)", sats, sats / 100000000, sats % 100000000); }

struct LookupOpts {
  std::string name, data, app, decrypt_key;
  KeyOpts keys;
  std::vector<std::string> sources;
  bool no_verify = false, verbose = false;
  bool verify = false;
  std::string trusted;
  std::optional<uint32_t> height;
  std::vector<std::string> peers;
};

// --verify's options checked (false: reported, g.rc set).
bool CheckVerifyOptions(Globals& g, const LookupOpts& o) {
  if (o.trusted.empty()) {
    ReportExit(g, EXIT_USAGE,
               "--verify needs --trusted-consensus-hash CH: a consensus hash you trust (from your own node's "
               "`blockstack info`, from several nodes, or `blockstack anchor TX` of a name operation in a Bitcoin "
               "block you trust; doc/proofs.md)");
    return false;
  }
  if (!util::IsLowerHex(o.trusted, 32)) {
    ReportExit(g, EXIT_INVALID, "--trusted-consensus-hash: " + o.trusted + " is not 32 lowercase hex digits");
    return false;
  }
  return true;
}

// A failed proof or an unreachable node, reported.
void ReportProofError(Globals& g, const util::Error& e) {
  if (e.code == ErrorCode::Corruption)
    ReportExit(g, EXIT_NOT_VERIFIED, e.message);
  else
    Report(g, e);
}

std::string RootWitnesses(const VerifiedName& proved) {
  return proved.confirmed_by.empty() ? ", this node's word alone: give --peers"
                                     : ", confirmed by " + std::to_string(proved.confirmed_by.size()) + " peer(s)";
}

// --verify: the record proved against the trusted hash before anything is
// resolved (nullopt: reported, g.rc set).
std::optional<VerifiedName> ProveName(Globals& g, client::NodeClient& node, const std::string& name,
                                      const LookupOpts& o) {
  VerifyFailure failure;
  auto proved = VerifyName(node, name, {o.trusted, o.height, o.peers}, &failure);
  if (!proved) {
    ReportProofError(g, proved.error());
    return std::nullopt;
  }
  if (!proved->present) {
    ReportExit(g, EXIT_NAME_UNKNOWN,
               "proved: " + name + " is not registered (state root " + proved->state_root + " at block " +
                   std::to_string(proved->state_height) + RootWitnesses(*proved) + ")");
    return std::nullopt;
  }
  return std::move(*proved);
}

// The same for a subdomain, through its domain.
std::optional<VerifiedSubdomain> ProveSubdomain(Globals& g, client::NodeClient& node, const std::string& fqn,
                                                const LookupOpts& o) {
  VerifyFailure failure;
  auto proved = VerifySubdomain(node, fqn, {o.trusted, o.height, o.peers}, &failure);
  if (!proved) {
    ReportProofError(g, proved.error());
    return std::nullopt;
  }
  const auto& d = proved->domain;
  if (!d.present) {
    ReportExit(g, EXIT_NAME_UNKNOWN,
               "proved: " + fqn + "'s domain " + subdomain::SplitSubdomainName(fqn)->domain +
                   " is not registered (state root " + d.state_root + " at block " + std::to_string(d.state_height) +
                   RootWitnesses(d) + ")");
    return std::nullopt;
  }
  if (!proved->present) {
    std::string why = "proved: no zone file of " + fqn + "'s domain carries an accepted record of it (" +
                      std::to_string(proved->zonefiles) + " zone file(s) replayed";
    if (!proved->missing.empty()) why += "; " + std::to_string(proved->missing.size()) + " not found, give --peers";
    ReportExit(g, EXIT_NAME_UNKNOWN, why + ")");
    return std::nullopt;
  }
  return std::move(*proved);
}

void AddLookup(CLI::App& app, Globals& g) {
  auto o = std::make_shared<LookupOpts>();
  auto* cmd = app.add_subcommand("lookup", "Resolve a name end to end and print its verified profile");
  cmd->add_option("NAME", o->name, "name.namespace, or a DID (did:stack:v0:ADDRESS-INDEX)")->required();
  cmd->add_option("--zonefile-source", o->sources,
                  "Also ask this node (http://host:port) or mirror (URL with {hash}; a node's DHT records are at "
                  "http://host:port/v1/dht/records/{hash}) for the zone file (repeatable, in order)");
  cmd->add_option("--data", o->data, "Also read this file from the owner's bucket and verify its signature");
  cmd->add_option("--app", o->app, "Read --data from the bucket the profile lists for this app origin");
  cmd->add_option("--decrypt-key", o->decrypt_key, "Decrypt --data with this key (a key spec, e.g. app:ORIGIN)");
  AddKeychainOptions(cmd, o->keys);
  cmd->add_flag("--no-verify", o->no_verify, "Do not require a signature on --data");
  cmd->add_flag("--verbose", o->verbose, "Say on standard error which source answered each step");
  cmd->add_flag("--verify", o->verify,
                "Prove the record against --trusted-consensus-hash before resolving it (doc/proofs.md)");
  cmd->add_option("--trusted-consensus-hash", o->trusted, "The consensus hash you trust, for --verify");
  cmd->add_option("--height", o->height, "The block of --trusted-consensus-hash, if you know it");
  cmd->add_option("--peers", o->peers,
                  "Other nodes (http://host:port) that must report the same state root (repeatable or comma-separated)")
      ->delimiter(',');
  cmd->callback([&g, o] {
    client::LookupOptions options;
    options.zonefile_sources = o->sources;
    if (!o->data.empty()) options.data_path = o->data;
    if (!o->app.empty()) options.app = o->app;
    options.verify_data = !o->no_verify;
    if (!o->decrypt_key.empty()) {
      auto key = ResolveKey(o->keys, o->decrypt_key, false);
      if (!key) return Report(g, key.error().Wrap("--decrypt-key"));
      options.decrypt_key = *key;
    }
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    // A DID: the node names the name it resolves to, which is then resolved and
    // verified here like any name; the key that signed its profile must be the
    // DID's.
    std::string name = o->name;
    std::optional<std::string> did_key;
    if (name.starts_with("did:")) {
      auto did = (*node)->Did(name);
      if (!did) {
        if (did.error().code == ErrorCode::NotFound) {
          return ReportExit(g, EXIT_NAME_UNKNOWN, did.error().message);
        }
        return Report(g, did.error());
      }
      name = (*did)["name"].get<std::string>();
      did_key = (*did)["public_key"].get<std::string>();
    }
    std::optional<VerifiedName> proved;
    std::optional<VerifiedSubdomain> proved_sub;
    if (o->verify) {
      if (!CheckVerifyOptions(g, *o)) return;
      if (subdomain::SplitSubdomainName(name)) {
        proved_sub = ProveSubdomain(g, **node, name, *o);
        if (!proved_sub) return;
      } else {
        proved = ProveName(g, **node, name, *o);
        if (!proved) return;
      }
    }
    client::UrlFetcher storage;
    client::Resolver resolver(**node, storage);
    auto outcome = resolver.Lookup(name, options);
    if (auto* err = std::get_if<client::LookupError>(&outcome)) {
      std::cerr << "error: " << err->message << "\n";
      g.rc = ExitCodeForLookup(err->kind);
      if (g.json_output) {
        std::cout << json{{"error", err->message},
                          {"exit_code", g.rc},
                          {"failure", client::LookupFailureName(err->kind)}}
                         .dump(2, ' ', false, json::error_handler_t::replace)
                  << "\n";
      }
      return;
    }
    auto& r = std::get<client::LookupResult>(outcome);
    if (did_key) {
      auto signer = crypto::PublicKey::FromHex(*did_key);
      auto owner = bitcoin::DecodeAddress(r.owner);
      const bool matches = signer && owner &&
                           (crypto::Hash160Of(signer->Serialize(true)) == owner->hash ||
                            crypto::Hash160Of(signer->Serialize(false)) == owner->hash);
      if (!matches) {
        return ReportExit(g, EXIT_BAD_SIGNATURE,
                          "the DID's key " + *did_key + " is not the key of " + r.name + "'s owner " + r.owner);
      }
    }
    if (proved && (r.owner != proved->owner || r.zonefile_hash != proved->value_hash)) {
      return ReportExit(g, EXIT_NOT_VERIFIED,
                        "verification failed at record: the node says owner " + r.owner + " and zone-file hash " +
                            r.zonefile_hash + ", the proof owner " + proved->owner + " and zone-file hash " +
                            proved->value_hash);
    }
    if (proved_sub &&
        (!subdomain::SameOwner(r.owner, proved_sub->owner) || r.zonefile_hash != proved_sub->zonefile_hash)) {
      return ReportExit(g, EXIT_NOT_VERIFIED,
                        "verification failed at record: the node says owner " + r.owner + " and zone-file hash " +
                            r.zonefile_hash + ", the proof owner " + proved_sub->owner + " and zone-file hash " +
                            proved_sub->zonefile_hash);
    }
    if (o->verbose) {
      for (const auto& s : r.steps) std::cerr << fmt::format("{:8.2f} ms  {}\n", s.ms, s.what);
    }
    json steps = json::array();
    std::string human_steps;
    double total = 0;
    for (const auto& s : r.steps) {
      steps.push_back({{"step", s.what}, {"ms", s.ms}});
      human_steps += fmt::format("  {:8.2f} ms  {}\n", s.ms, s.what);
      total += s.ms;
    }
    json j{{"name", r.name},
           {"did", did_key ? json(o->name) : json(nullptr)},
           {"owner", r.owner},
           {"zonefile_hash", r.zonefile_hash},
           {"zonefile_source", r.zonefile_source},
           {"zonefile", r.zonefile},
           {"profile_url", r.profile_url},
           {"profile_urls_tried", r.profile_urls_tried},
           {"profile", r.profile},
           {"verified", true},
           {"steps", steps},
           {"total_ms", total}};
    if (r.pending) {
      j["pending"] = true;
      j["registrar"] = r.registrar;
    }
    std::string data_text;
    if (r.data) {
      data_text.assign(r.data->data.begin(), r.data->data.end());
      j["data_url"] = r.data_url;
      j["data"] = data_text;
    }
    std::string human = fmt::format("{}\n  owner      {}\n  zone file  {} (from {})\n  profile    {}\n{}\n", r.name, r.owner,
                                    r.zonefile_hash, r.zonefile_source, r.profile_url, r.profile.dump(2));
    for (const auto& t : r.profile_urls_tried) human += "  (not used: " + t + ")\n";
    if (r.pending) {
      human += "  pending    not on chain yet: owner and zone file are the word of the registrar " + r.registrar + "\n";
    }
    if (r.data) human += fmt::format("data {}\n{}\n", r.data_url, data_text);
    if (proved) {
      j["proof"] = proved->Json();
      human += fmt::format(
          "proved: {} operation(s) against the consensus hash you trust at block {}; the newest at block {} ({})\n"
          "  state root {} at block {}: {}\n",
          proved->operations, proved->anchor_height, proved->last_height, proved->last_txid, proved->state_root,
          proved->state_height,
          proved->confirmed_by.empty()
              ? std::string("this node's word alone (give --peers for a record that is not stale)")
              : "confirmed by " + fmt::format("{}", fmt::join(proved->confirmed_by, ", ")));
    }
    if (proved_sub) {
      const auto& d = proved_sub->domain;
      j["proof"] = proved_sub->Json();
      human += fmt::format(
          "proved: sequence {} ({} record(s) accepted), carried by {} at block {} ({}); {} zone file(s) replayed{}\n"
          "  domain: {} operation(s) against the consensus hash you trust at block {}; state root {} at block {}: "
          "{}\n",
          proved_sub->seqn, proved_sub->records, proved_sub->carrier, proved_sub->height, proved_sub->txid,
          proved_sub->zonefiles,
          proved_sub->from_peers ? fmt::format(", {} from peers", proved_sub->from_peers) : std::string(), d.operations,
          d.anchor_height, d.state_root, d.state_height,
          d.confirmed_by.empty() ? std::string("this node's word alone (give --peers for a record that is not stale)")
                                 : "confirmed by " + fmt::format("{}", fmt::join(d.confirmed_by, ", ")));
      if (!proved_sub->missing.empty()) {
        human += fmt::format("  not replayed: {} zone file(s) neither the node nor a peer has: {}\n",
                             proved_sub->missing.size(), fmt::join(proved_sub->missing, ", "));
      }
    }
    human += "verified:\n" + human_steps + fmt::format("  {:8.2f} ms  total\n", total);
    Print(g, j, human);
  });
}

void AddReads(CLI::App& app, Globals& g) {
  auto name = std::make_shared<std::string>();
  auto* node_info = app.add_subcommand("info", "Print the node's last block, consensus hash and zone-file counts");
  node_info->callback([&g] {
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    auto j = (*node)->Info();
    if (!j) return Report(g, j.error());
    std::string human;
    for (const char* k : {"last_block_processed", "last_block_seen", "consensus", "zonefile_count", "server_version"}) {
      if (j->contains(k))
        human += fmt::format("{:<22} {}\n", k, (*j)[k].is_string() ? (*j)[k].get<std::string>() : (*j)[k].dump());
    }
    Print(g, *j, human);
  });

  auto* price = app.add_subcommand("price", "Print the price of a name (name.ns) or a namespace (ns)");
  price->add_option("NAME", *name, "name.namespace or namespace ID")->required();
  price->callback([&g, name] {
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    bool is_namespace = name->find('.') == std::string::npos;
    auto sats = is_namespace ? (*node)->NamespacePrice(*name) : (*node)->NamePrice(*name);
    if (!sats) return Report(g, sats.error());
    Print(g, {{is_namespace ? "namespace" : "name", *name}, {"satoshis", *sats}, {"units", "BTC"}},
          fmt::format("{}: {}\n", *name, Satoshis(*sats)));
  });

  auto* whois = app.add_subcommand("whois", "Print a name's owner, zone-file hash and expiry");
  whois->add_option("NAME", *name, "name.namespace")->required();
  whois->callback([&g, name] {
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    auto info = (*node)->Name(*name);
    if (!info) return Report(g, info.error());
    switch (info->state) {
      case client::NameState::Unknown:
        return ReportExit(g, EXIT_NAME_UNKNOWN, *name + " is not registered");
      case client::NameState::Expired:
        return ReportExit(g, EXIT_NAME_EXPIRED, *name + " has expired");
      default: break;
    }
    json j = info->record;
    j.erase("zonefile");
    // One field name per concept across commands: the owner is `owner`, as in
    // lookup and name register (the node's record calls it `address`).
    j.erase("address");
    j["owner"] = info->address;
    j["name"] = *name;
    std::string human = fmt::format("{}\n  status           {}\n  owner            {}\n  zone-file hash   {}\n"
                                    "  expires at block {}\n  renewal deadline {}\n  last txid        {}\n",
                                    *name, j.value("status", ""), info->address, info->zonefile_hash.value_or("none"),
                                    j.value("expire_block", json(-1)).dump(), j.value("renewal_deadline", json(-1)).dump(),
                                    j.value("last_txid", ""));
    Print(g, j, human);
  });

  auto* names = app.add_subcommand("names", "List the names an address owns");
  names->add_option("ADDRESS", *name, "Bitcoin address")->required();
  names->callback([&g, name] {
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    auto list = (*node)->NamesOwnedBy(*name);
    if (!list) return Report(g, list.error());
    std::string human;
    for (const auto& n : *list) human += n + "\n";
    Print(g, {{"address", *name}, {"names", *list}}, human);
  });
}

struct ZonefileOpts {
  std::string name, file, hub, key, owner, domain;
  KeyOpts keys;
  std::vector<std::string> urls;
  uint32_t ttl = 3600;
  int64_t seqn = 0;
};

void AddZonefile(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ZonefileOpts>();
  auto* zf = app.add_subcommand("zonefile", "Make, hash and publish zone files");
  zf->require_subcommand(1);
  auto* make = zf->add_subcommand("make", "Print a zone file whose URI records point at the profile");
  make->add_option("NAME", o->name, "name.namespace")->required();
  make->add_option("--url", o->urls, "Profile URL (repeatable, in order)");
  make->add_option("--hub", o->hub, "Point at profile.json in the bucket of --key on this Gaia hub");
  make->add_option("--key", o->key, "The owner's key, with --hub (default with a keychain: its owner key)");
  AddKeychainOptions(make, o->keys);
  make->add_option("--ttl", o->ttl, "TTL in seconds")->capture_default_str();
  make->callback([&g, o] {
    if (!bns::IsNameValid(o->name) && !subdomain::SplitSubdomainName(o->name))
      return Report(g, {ErrorCode::InvalidArgument, "invalid name '" + o->name + "'"});
    std::vector<std::string> urls = o->urls;
    if (!o->hub.empty()) {
      auto key = ResolveKey(o->keys, o->key);
      if (!key) return Report(g, key.error().Wrap("--key"));
      auto hub = client::GaiaClient::Connect(o->hub, *key);
      if (!hub) return Report(g, hub.error());
      urls.push_back((*hub)->Config().url_prefix + (*hub)->Config().address + "/profile.json");
    }
    if (urls.empty()) return Report(g, {ErrorCode::InvalidArgument, "give --url or --hub and --key"});
    for (const auto& u : urls) {
      if (u.find_first_of("\"\\\n\r") != std::string::npos) {
        return Report(g, {ErrorCode::InvalidArgument, "a URL may not hold quotes, backslashes or line breaks"});
      }
    }
    std::string text = zonefile::MakeZonefile(o->name, urls, o->ttl);
    if (text.size() > zonefile::MAX_ZONEFILE_BYTES)
      return Report(g, {ErrorCode::TooLarge, "the zone file is over 40960 bytes"});
    Print(g, {{"zonefile", text}, {"zonefile_hash", crypto::Hash160Of(util::AsBytes(text)).Hex()}}, text);
  });
  auto* sub = zf->add_subcommand("subdomain",
                                 "Print the TXT record that creates (sequence 0) or updates a subdomain, to put in a "
                                 "domain's zone file");
  sub->add_option("NAME", o->name, "leaf.name.namespace")->required();
  sub->add_option("--owner", o->owner, "The owner's address after this record")->required();
  sub->add_option("--zonefile", o->file, "The subdomain's own zone file (- for standard input)")->required();
  sub->add_option("--seqn", o->seqn, "Sequence number: 0 creates, each update adds one")->capture_default_str();
  sub->add_option("--key", o->key,
                  "The current owner's key, which must sign every update (default with a keychain: its owner key)");
  AddKeychainOptions(sub, o->keys);
  sub->add_option("--domain", o->domain,
                  "The name whose zone file will carry the record, when not the subdomain's own domain (an update "
                  "only)");
  sub->callback([&g, o] {
    auto split = subdomain::SplitSubdomainName(o->name);
    if (!split)
      return Report(g, {ErrorCode::InvalidArgument, "'" + o->name + "' is not a subdomain (leaf.name.namespace)"});
    subdomain::Record record;
    record.fqn = o->name;
    record.domain = o->domain.empty() ? split->domain : o->domain;
    if (!bns::IsNameValid(record.domain)) return Report(g, {ErrorCode::InvalidArgument, "invalid --domain"});
    record.independent = record.domain != split->domain;
    if (!bitcoin::DecodeAddress(o->owner)) return Report(g, {ErrorCode::InvalidArgument, "invalid --owner address"});
    record.owner = o->owner;
    if (o->seqn < 0) return Report(g, {ErrorCode::InvalidArgument, "--seqn must not be negative"});
    record.seqn = o->seqn;
    if (record.independent && record.seqn == 0)
      return Report(g, {ErrorCode::InvalidArgument, "only the subdomain's own domain can create it"});
    if (record.seqn > 0 && o->key.empty() && !o->keys.HasKeychain())
      return Report(g, {ErrorCode::InvalidArgument, "an update (--seqn above 0) must be signed: give --key"});
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    if (text->size() > zonefile::MAX_ZONEFILE_BYTES)
      return Report(g, {ErrorCode::TooLarge, "the zone file is over 40960 bytes"});
    record.zonefile = *text;
    std::optional<crypto::PrivateKey> key;
    if (!o->key.empty() || (record.seqn > 0 && o->keys.HasKeychain())) {
      auto parsed = ResolveKey(o->keys, o->key);
      if (!parsed) return Report(g, parsed.error().Wrap("--key"));
      key = *parsed;
    }
    std::string txt = subdomain::MakeTxtRecord(record, key ? &*key : nullptr);
    Print(g,
          {{"txt", txt},
           {"name", record.fqn},
           {"domain", record.domain},
           {"sequence", record.seqn},
           {"zonefile_hash", crypto::Hash160Of(util::AsBytes(record.zonefile)).Hex()}},
          txt + "\n");
  });
  auto* get = zf->add_subcommand("get", "Print a name's current zone file, checked against its on-chain hash");
  get->add_option("NAME", o->name, "name.namespace or a subdomain (or give --hash)");
  get->add_option("--hash", o->owner, "Fetch the zone file with this hash160 instead");
  get->callback([&g, o] {
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    std::string hash = o->owner;
    if (o->name.empty() == hash.empty())
      return Report(g, {ErrorCode::InvalidArgument, "give NAME or --hash, not both"});
    if (hash.empty()) {
      auto info = (*node)->Name(o->name);
      if (!info) return Report(g, info.error());
      if (info->state == client::NameState::Unknown || info->state == client::NameState::Expired) {
        const bool unknown = info->state == client::NameState::Unknown;
        return ReportExit(g, unknown ? EXIT_NAME_UNKNOWN : EXIT_NAME_EXPIRED,
                          o->name + (unknown ? " is not registered" : " has expired"));
      }
      if (!info->zonefile_hash) {
        return ReportExit(g, EXIT_ZONEFILE_MISSING, o->name + " has no zone-file hash on chain");
      }
      hash = *info->zonefile_hash;
    }
    if (!util::Hash160::FromHex(hash))
      return Report(g, {ErrorCode::InvalidArgument, "a zone-file hash is 40 hex digits"});
    auto text = (*node)->Zonefile(hash);
    if (!text) return Report(g, text.error());
    if (!*text) {
      return ReportExit(g, EXIT_ZONEFILE_MISSING, "the node does not have zone file " + hash);
    }
    std::string got = crypto::Hash160Of(util::AsBytes(**text)).Hex();
    if (got != hash) {
      return ReportExit(g, EXIT_HASH_MISMATCH, "the node's zone file hashes to " + got + ", not " + hash);
    }
    json j{{"zonefile_hash", hash}, {"zonefile", **text}, {"verified", true}};
    if (!o->name.empty()) j["name"] = o->name;
    Print(g, j, **text);
  });

  auto* hash = zf->add_subcommand("hash", "Print the hash160 of a zone file, as put on chain");
  hash->add_option("FILE", o->file, "Zone file (- for standard input)")->required();
  hash->callback([&g, o] {
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    std::string h = crypto::Hash160Of(util::AsBytes(*text)).Hex();
    Print(g, {{"zonefile_hash", h}}, h + "\n");
  });
  auto files = std::make_shared<std::vector<std::string>>();
  auto* parse = zf->add_subcommand("parse", "Print zone files as JSON, read as the original clients read them "
                                            "(npm zone-file's form)");
  parse->add_option("FILE", *files, "Zone files (- for standard input); several print a JSON array")->required();
  parse->callback([&g, files] {
    json all = json::array();
    std::string human;
    for (const auto& file : *files) {
      auto text = ReadFileText(file);
      if (!text) return Report(g, text.error());
      auto parsed = zonefile::ParseZonefile(*text, {.as_clients = true});
      if (!parsed) return Report(g, parsed.error().Wrap(file));
      all.push_back(zonefile::ToJson(*parsed));
      human += all.back().dump(2) + "\n";
    }
    Print(g, files->size() == 1 ? all[0] : all, human);
  });
  auto* publish = zf->add_subcommand("publish", "Give a zone file to the node (its hash must be on chain)");
  publish->add_option("FILE", o->file, "Zone file (- for standard input)")->required();
  publish->callback([&g, o] {
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    if (text->size() > zonefile::MAX_ZONEFILE_BYTES) return Report(g, {ErrorCode::TooLarge, "the zone file is over 40960 bytes"});
    auto node = Node(g);
    if (!node) return Report(g, node.error());
    auto st = (*node)->PublishZonefile(*text);
    if (!st) return Report(g, st.error());
    std::string h = crypto::Hash160Of(util::AsBytes(*text)).Hex();
    Print(g, {{"zonefile_hash", h}, {"node", g.node}}, "published " + h + " to " + g.node + "\n");
  });
}

struct ProfileOpts {
  std::string file, key, address, public_key, hub, name, description, image;
  std::vector<std::string> fields;
  double days = 365;
  KeyOpts keys;
};

// The profile in o.file, signed with o.key into a token file.
util::Result<json> SignedTokenFile(const ProfileOpts& o) {
  BS_TRY(std::string text, ReadFileText(o.file));
  BS_TRY(auto key, ResolveKey(o.keys, o.key));
  json claim = json::parse(text, nullptr, false);
  if (!claim.is_object()) return util::Fail(ErrorCode::InvalidArgument, "the profile must be a JSON object");
  int64_t now = std::time(nullptr);
  return zonefile::MakeTokenFile(zonefile::SignProfileToken(claim, key, now, now + static_cast<int64_t>(o.days * 86400)));
}

void AddProfile(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ProfileOpts>();
  auto* profile = app.add_subcommand("profile", "Make, sign, verify and store profiles");
  profile->require_subcommand(1);
  auto* make = profile->add_subcommand("make", "Print a Person profile as JSON");
  make->add_option("--name", o->name, "Display name");
  make->add_option("--description", o->description, "About text");
  make->add_option("--image", o->image, "Avatar URL");
  make->add_option("--field", o->fields, "KEY=VALUE, a string field (repeatable)");
  make->callback([&g, o] {
    json p{{"@type", "Person"}, {"@context", "http://schema.org"}};
    if (!o->name.empty()) p["name"] = o->name;
    if (!o->description.empty()) p["description"] = o->description;
    if (!o->image.empty()) p["image"] = json::array({{{"@type", "ImageObject"}, {"name", "avatar"}, {"contentUrl", o->image}}});
    for (const auto& f : o->fields) {
      auto eq = f.find('=');
      if (eq == std::string::npos || eq == 0) return Report(g, {ErrorCode::InvalidArgument, "--field takes KEY=VALUE"});
      p[f.substr(0, eq)] = f.substr(eq + 1);
    }
    std::cout << p.dump(2) << "\n";
  });
  auto* sign = profile->add_subcommand("sign", "Sign a JSON profile into a token file");
  sign->add_option("FILE", o->file, "Profile JSON (- for standard input)")->required();
  sign->add_option("--key", o->key, "The name owner's key (default with a keychain: its owner key)");
  AddKeychainOptions(sign, o->keys);
  sign->add_option("--days", o->days, "Days until the token expires")->capture_default_str();
  sign->callback([&g, o] {
    auto tokens = SignedTokenFile(*o);
    if (!tokens) return Report(g, tokens.error());
    std::cout << tokens->dump(2) << "\n";
  });
  auto* verify = profile->add_subcommand("verify", "Verify a token file and print the profile");
  verify->add_option("FILE", o->file, "Token file (- for standard input)")->required();
  verify->add_option("--address", o->address, "The owner's address");
  verify->add_option("--public-key", o->public_key, "Or the owner's public key (hex)");
  verify->callback([&g, o] {
    if (o->address.empty() == o->public_key.empty()) {
      return Report(g, {ErrorCode::InvalidArgument, "give --address or --public-key"});
    }
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    auto claim = zonefile::ProfileFromTokenFile(*text, zonefile::Signer{o->address, o->public_key});
    if (!claim) {
      // As lookup reports a profile not signed by the owner.
      return ReportExit(g, EXIT_BAD_SIGNATURE, claim.error().message);
    }
    std::cout << claim->dump(2) << "\n";
  });
  auto* put = profile->add_subcommand("put", "Sign a JSON profile and store it as profile.json in the key's Gaia bucket");
  put->add_option("FILE", o->file, "Profile JSON (- for standard input)")->required();
  put->add_option("--key", o->key, "The name owner's key (default with a keychain: its owner key)");
  AddKeychainOptions(put, o->keys);
  put->add_option("--hub", o->hub, "Gaia hub URL")->required();
  put->add_option("--days", o->days, "Days until the token expires")->capture_default_str();
  put->callback([&g, o] {
    auto tokens = SignedTokenFile(*o);
    if (!tokens) return Report(g, tokens.error());
    auto key = ResolveKey(o->keys, o->key);
    if (!key) return Report(g, key.error());
    auto hub = client::GaiaClient::Connect(o->hub, *key);
    if (!hub) return Report(g, hub.error());
    client::PutOptions put_options;
    put_options.encrypt = false;
    put_options.is_string = true;
    put_options.content_type = "application/json";
    std::string body = tokens->dump();
    auto r = (*hub)->PutFile("profile.json", util::AsBytes(body), put_options);
    if (!r) return Report(g, r.error());
    Print(g, {{"public_url", r->public_url}}, r->public_url + "\n");
  });
}

}  // namespace

void AddNodeCommands(CLI::App& app, Globals& g) {
  AddReads(app, g);
  AddLookup(app, g);
  AddZonefile(app, g);
  AddProfile(app, g);
}

}  // namespace blockstack::cli
