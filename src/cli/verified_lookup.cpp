#include <cli/verified_lookup.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <cli/common.h>

#include <crypto/hash.h>
#include <proofs/verify.h>
#include <subdomain/record.h>
#include <util/bytes.h>

namespace blockstack::cli {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

namespace {

// Records a failed step and returns the error that carries it.
class Steps {
 public:
  explicit Steps(VerifyFailure* failure) : m_failure(failure) {}
  util::Unexpected Failed(std::string step, std::string message) {
    if (m_failure) *m_failure = {step, message};
    return Fail(ErrorCode::Corruption, "verification failed at " + step + ": " + message);
  }
  // A verifier's message already starts with its step ("link at block 7: ...").
  util::Unexpected FailedProof(const util::Error& e) {
    const auto colon = e.message.find(": ");
    if (colon == std::string::npos) return Failed("proof", e.message);
    return Failed(e.message.substr(0, colon), e.message.substr(colon + 2));
  }

 private:
  VerifyFailure* m_failure;
};

// GET path from a node: the body of a 200, or the node's error.
util::Result<std::string> Fetch(client::NodeClient& node, const std::string& path, unsigned* status) {
  auto got = node.GetText(path);
  if (!got) return Fail(ErrorCode::Unavailable, node.Url() + ": " + got.error().message);
  *status = got->first;
  return std::move(got->second);
}

constexpr auto PEER_WAIT = std::chrono::seconds(15);

// Whether the node has not indexed `height` yet.
bool PeerBehind(client::NodeClient& peer, uint32_t height) {
  auto last = peer.LastBlock();
  return last && *last < height;
}

std::string NodeError(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  return body.substr(0, 200);
}

// The name's whole history below `anchor` (every page), verified against it.
util::Result<std::vector<proofs::VerifiedOp>> History(client::NodeClient& node, const std::string& name,
                                                      const std::string& anchor, std::optional<uint32_t> height,
                                                      uint32_t* anchor_height, Steps& steps) {
  std::vector<proofs::VerifiedOp> ops;
  std::map<std::string, bool> seen;
  std::string page_anchor = anchor;
  for (int page = 0;; ++page) {
    unsigned status = 0;
    BS_TRY(std::string body, Fetch(node, "/v1/proofs/names/" + name + "?anchor=" + page_anchor, &status));
    if (status == 404 && page == 0 && NodeError(body).starts_with("Unknown anchor")) {
      return steps.Failed("anchor", "the node does not know consensus hash " + anchor +
                                        " (it is on another chain, or behind the block it is from)");
    }
    if (status == 404 && page == 0) break;  // no operation: the state decides
    if (status != 200)
      return Fail(ErrorCode::Unavailable, node.Url() + ": HTTP " + std::to_string(status) + ": " + NodeError(body));
    auto bundle = proofs::ParseHistoryBundle(body);
    if (!bundle) return steps.Failed("history bundle", bundle.error().message);
    if (bundle->name != name) return steps.Failed("history bundle", "it is the history of " + bundle->name);
    auto verified = proofs::VerifyHistory(*bundle, page_anchor, page == 0 ? height : std::nullopt);
    if (!verified) return steps.FailedProof(verified.error());
    if (page == 0) *anchor_height = verified->anchor_height;
    for (auto& op : verified->ops) {
      if (seen.emplace(op.txid, true).second) ops.push_back(std::move(op));
    }
    if (!verified->next_anchor) break;
    page_anchor = *verified->next_anchor;
  }
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) {
    return a.height != b.height ? a.height < b.height : a.vtxindex < b.vtxindex;
  });
  return ops;
}

}  // namespace

json VerifiedName::Json() const {
  json j{{"present", present},       {"anchor_height", anchor_height}, {"state_height", state_height},
         {"state_root", state_root}, {"confirmed_by", confirmed_by},   {"operations", operations}};
  if (present) {
    j["owner"] = owner;
    j["zonefile_hash"] = value_hash.empty() ? json(nullptr) : json(value_hash);
    j["revoked"] = revoked;
    j["last_operation"] = {{"height", last_height}, {"txid", last_txid}, {"op", last_op}};
  }
  return j;
}

util::Result<VerifiedName> VerifyName(client::NodeClient& node, const std::string& name, const VerifyOptions& options,
                                      VerifyFailure* failure) {
  Steps steps(failure);
  VerifiedName out;
  // 1. The node's state root and the name's place under it.
  unsigned status = 0;
  BS_TRY(std::string body, Fetch(node, "/v1/proofs/state/" + name, &status));
  if (status != 200) {
    return Fail(ErrorCode::Unavailable,
                node.Url() + " serves no state proof (HTTP " + std::to_string(status) + "): " + NodeError(body));
  }
  auto state = proofs::ParseStateAnswer(body);
  if (!state) return steps.Failed("state", state.error().message);
  if (state->name != name) return steps.Failed("state", "the proof is for " + state->name);
  auto value = proofs::VerifyState(*state, state->root);
  if (!value) return steps.FailedProof(value.error());
  out.state_height = state->height;
  out.state_root = state->root.Hex();
  // 2. The same root and consensus hash at that block from every peer named.
  for (const auto& url : options.peers) {
    auto peer = client::NodeClient::Create(url, std::chrono::seconds(10));
    if (!peer) return Fail(ErrorCode::InvalidArgument, "--peers " + url + ": " + peer.error().message);
    const std::string root_path = "/v1/proofs/roots/" + std::to_string(state->height);
    BS_TRY(std::string peer_body, Fetch(**peer, root_path, &status));
    // A peer a block or two behind is waited for (up to PEER_WAIT).
    for (auto until = std::chrono::steady_clock::now() + PEER_WAIT;
         status == 404 && PeerBehind(**peer, state->height) && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      BS_TRY(peer_body, Fetch(**peer, root_path, &status));
    }
    if (status != 200) {
      return steps.Failed("state root", "peer " + url + " has no root for block " + std::to_string(state->height) +
                                            " (HTTP " + std::to_string(status) + ": " + NodeError(peer_body) + ")");
    }
    auto theirs = proofs::ParseRootAnswer(peer_body);
    if (!theirs) return steps.Failed("state root", "peer " + url + ": " + theirs.error().message);
    if (theirs->consensus_hash != state->consensus_hash) {
      return steps.Failed("state root", "peer " + url + " has consensus hash " + theirs->consensus_hash + " at block " +
                                            std::to_string(state->height) + ", the node " + state->consensus_hash);
    }
    if (theirs->root != state->root) {
      return steps.Failed("state root", "peer " + url + " reports root " + theirs->root.Hex() + " at block " +
                                            std::to_string(state->height) + ", the node " + state->root.Hex());
    }
    out.confirmed_by.push_back(url);
  }
  // 3. The history below the trusted hash; past it, below the block the peers
  // confirmed, when the record changed since.
  BS_TRY(auto ops,
         History(node, name, options.trusted_consensus_hash, options.trusted_height, &out.anchor_height, steps));
  if (out.anchor_height == 0) out.anchor_height = options.trusted_height.value_or(0);
  out.history_anchor = options.trusted_consensus_hash;
  out.history_anchor_height = out.anchor_height;
  if (state->height < out.anchor_height) {
    return steps.Failed("state", "the state proof is for block " + std::to_string(state->height) +
                                     ", older than block " + std::to_string(out.anchor_height) +
                                     " of the consensus hash you trust (a stale record)");
  }
  auto newest = [&ops]() -> std::optional<proofs::Hash256> {
    if (ops.empty()) return std::nullopt;
    return proofs::StateValueAfter(ops);
  };
  if (newest() != *value && state->height != out.anchor_height) {
    if (out.confirmed_by.empty()) {
      return steps.Failed("state", "the node's record at block " + std::to_string(state->height) +
                                       " is not what the history to your trusted hash shows; give --peers to confirm "
                                       "that block, or trust a newer consensus hash");
    }
    uint32_t ignored = 0;
    BS_TRY(ops, History(node, name, state->consensus_hash, state->height, &ignored, steps));
    out.history_anchor = state->consensus_hash;
    out.history_anchor_height = state->height;
  }
  // 4. The state holds the newest operation's record, or proves the name absent.
  if (!value->has_value()) {
    if (!ops.empty()) {
      return steps.Failed("state", "the node proves " + name + " absent, but its verified history shows " +
                                       std::to_string(ops.size()) + " operation(s)");
    }
    return out;
  }
  if (ops.empty()) {
    return steps.Failed("state", "the state root holds a record of " + name +
                                     ", but the node shows no operation on it (its history withheld)");
  }
  if (proofs::StateValueAfter(ops) != **value) {
    return steps.Failed("state", "the state root does not hold the record of the newest operation in " + name +
                                     "'s verified history after its " + std::to_string(ops.size()) +
                                     " operation(s) (a later operation hidden, an earlier one left out, or a stale "
                                     "record)");
  }
  const auto& last = ops.back();
  out.present = true;
  out.owner = last.address;
  out.value_hash = last.value_hash;
  out.revoked = last.revoked;
  out.last_height = last.height;
  out.last_txid = last.txid;
  out.last_op = last.op;
  out.operations = ops.size();
  for (const auto& op : ops) out.operation_txids.push_back(op.txid);
  return out;
}

json VerifiedSubdomain::Json() const {
  json j{{"present", present},     {"domain", domain.Json()},  {"records", records},
         {"zonefiles", zonefiles}, {"from_peers", from_peers}, {"missing_zonefiles", missing}};
  if (present) {
    j["owner"] = owner;
    j["zonefile_hash"] = zonefile_hash;
    j["sequence"] = seqn;
    j["last_record"] = {{"carrier", carrier}, {"height", height}, {"txid", txid}};
  }
  return j;
}

util::Result<VerifiedSubdomain> VerifySubdomain(client::NodeClient& node, const std::string& fqn,
                                                const VerifyOptions& options, VerifyFailure* failure) {
  Steps steps(failure);
  auto split = subdomain::SplitSubdomainName(fqn);
  if (!split) return Fail(ErrorCode::InvalidArgument, fqn + " is not a subdomain name");
  VerifiedSubdomain out;
  // 1. The domain's record, proved current: its newest zone file is then known.
  BS_TRY(out.domain, VerifyName(node, split->domain, options, failure));
  if (!out.domain.present) return out;
  // 2. Every page of the subdomain's bundle, anchored where the domain's
  // history was; every zone file of the domain's operations in it.
  std::vector<proofs::VerifiedSlot> slots;
  std::set<std::string> domain_ops;
  uint32_t first_block = 0;
  std::string page_anchor = out.domain.history_anchor;
  for (int page = 0;; ++page) {
    unsigned status = 0;
    BS_TRY(std::string body, Fetch(node, "/v1/proofs/names/" + fqn + "?anchor=" + page_anchor, &status));
    if (status != 200)
      return Fail(ErrorCode::Unavailable, node.Url() + ": HTTP " + std::to_string(status) + ": " + NodeError(body));
    auto bundle = proofs::ParseSubdomainBundle(body);
    if (!bundle) return steps.Failed("subdomain bundle", bundle.error().message);
    if (bundle->subdomain != fqn) return steps.Failed("subdomain bundle", "it is the bundle of " + bundle->subdomain);
    if (page == 0) {
      first_block = bundle->first_block;
    } else if (bundle->first_block != first_block) {
      return steps.Failed("subdomain bundle", "its pages disagree on the first subdomain block");
    }
    auto verified = proofs::VerifySubdomainPage(
        *bundle, page_anchor, page == 0 ? std::optional(out.domain.history_anchor_height) : std::nullopt);
    if (!verified) return steps.FailedProof(verified.error());
    for (const auto& op : verified->domain.ops) domain_ops.insert(op.txid);
    slots.insert(slots.end(), verified->slots.begin(), verified->slots.end());
    if (!verified->domain.next_anchor) break;
    page_anchor = *verified->domain.next_anchor;
  }
  // The same operations as the domain's history, which the state root showed
  // complete: none of its zone files left out.
  if (domain_ops != std::set<std::string>(out.domain.operation_txids.begin(), out.domain.operation_txids.end())) {
    return steps.Failed("subdomain bundle", "it gives " + std::to_string(domain_ops.size()) + " operation(s) of " +
                                                split->domain + ", its proved history " +
                                                std::to_string(out.domain.operations));
  }
  // 3. Zone files the node does not hold are asked of the peers.
  for (auto& slot : slots) {
    if (slot.zonefile) {
      ++out.zonefiles;
      continue;
    }
    for (const auto& url : options.peers) {
      auto peer = client::NodeClient::Create(url, std::chrono::seconds(10));
      if (!peer) continue;
      auto text = (*peer)->Zonefile(slot.hash);
      if (text && *text && crypto::Hash160Of(util::AsBytes(**text)).Hex() == slot.hash) {
        slot.zonefile = std::move(**text);
        ++out.zonefiles;
        ++out.from_peers;
        break;
      }
    }
    if (!slot.zonefile) out.missing.push_back(slot.hash);
  }
  // 4. The subdomain rules replayed over them.
  auto proved = proofs::ReplaySubdomain(fqn, first_block, slots);
  if (!proved) return out;
  out.present = true;
  out.owner = proved->owner;
  out.zonefile_hash = proved->zonefile_hash;
  out.carrier = proved->carrier;
  out.txid = proved->txid;
  out.height = proved->height;
  out.seqn = proved->seqn;
  out.records = proved->accepted;
  return out;
}

namespace {

struct ProofFileOpts {
  std::string file, trusted, root;
  std::optional<uint32_t> height;
};

// A proof in a file that does not check: exit 20 with the step and why.
void ReportNotVerified(Globals& g, const std::string& step_and_why) {
  ReportExit(g, EXIT_NOT_VERIFIED, "verification failed at " + step_and_why);
}

json OpJson(const proofs::VerifiedOp& op) {
  return {{"height", op.height},
          {"vtxindex", op.vtxindex},
          {"txid", op.txid},
          {"opcode", std::string(1, op.opcode)},
          {"op", op.op},
          {"address", op.address},
          {"value_hash", op.value_hash},
          {"revoked", op.revoked},
          {"record", op.record}};
}

}  // namespace

void AddProofCommands(CLI::App& app, Globals& g) {
  auto* proof = app.add_subcommand("proof", "Check a node's proofs kept in files (doc/proofs.md)");
  proof->require_subcommand(1);
  auto o = std::make_shared<ProofFileOpts>();
  auto* history = proof->add_subcommand("history", "Verify a history bundle against a consensus hash you trust");
  history->add_option("FILE", o->file, "The bundle (GET /v1/proofs/names/{name})")->required();
  history->add_option("--trusted-consensus-hash", o->trusted, "The consensus hash you trust")->required();
  history->add_option("--height", o->height, "Its block, if you know it");
  history->callback([&g, o] {
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    auto bundle = proofs::ParseHistoryBundle(*text);
    if (!bundle) return ReportNotVerified(g, "history bundle: " + bundle.error().message);
    auto verified = proofs::VerifyHistory(*bundle, o->trusted, o->height);
    if (!verified) return ReportNotVerified(g, verified.error().message);
    json ops = json::array();
    std::string human;
    for (const auto& op : verified->ops) {
      ops.push_back(OpJson(op));
      human += "block " + std::to_string(op.height) + " " + op.txid + " '" + op.opcode + "' owner " + op.address + "\n";
    }
    Print(g,
          {{"name", verified->name},
           {"anchor_height", verified->anchor_height},
           {"operations", ops},
           {"next_anchor", verified->next_anchor ? json(*verified->next_anchor) : json(nullptr)},
           // With no older page, what the state tree holds if these are all of
           // the name's operations (a state proof then shows whether they are).
           {"state_value", verified->next_anchor || verified->ops.empty()
                               ? json(nullptr)
                               : json(proofs::StateValueAfter(verified->ops).Hex())}},
          human);
  });
  auto* sub = proof->add_subcommand("subdomain", "Verify one page of a subdomain's bundle and replay its records");
  sub->add_option("FILE", o->file, "The bundle (GET /v1/proofs/names/{sub.domain.id})")->required();
  sub->add_option("--trusted-consensus-hash", o->trusted, "The consensus hash you trust")->required();
  sub->add_option("--height", o->height, "Its block, if you know it");
  sub->callback([&g, o] {
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    auto bundle = proofs::ParseSubdomainBundle(*text);
    if (!bundle) return ReportNotVerified(g, "subdomain bundle: " + bundle.error().message);
    auto page = proofs::VerifySubdomainPage(*bundle, o->trusted, o->height);
    if (!page) return ReportNotVerified(g, page.error().message);
    json missing = json::array();
    std::size_t given = 0;
    for (const auto& slot : page->slots) {
      if (slot.zonefile)
        ++given;
      else
        missing.push_back(slot.hash);
    }
    auto proved = proofs::ReplaySubdomain(bundle->subdomain, bundle->first_block, page->slots);
    json j{{"subdomain", bundle->subdomain},
           {"present", proved.has_value()},
           {"zonefiles", given},
           {"missing_zonefiles", missing},
           // This page alone: older zone files are on the next one.
           {"next_anchor", page->domain.next_anchor ? json(*page->domain.next_anchor) : json(nullptr)}};
    std::string human = bundle->subdomain + ": ";
    if (proved) {
      j["owner"] = proved->owner;
      j["sequence"] = proved->seqn;
      j["zonefile_hash"] = proved->zonefile_hash;
      j["last_record"] = {{"carrier", proved->carrier}, {"height", proved->height}, {"txid", proved->txid}};
      human += "owner " + proved->owner + ", sequence " + std::to_string(proved->seqn) + ", zone file " +
               proved->zonefile_hash + " (carried by " + proved->carrier + " at block " +
               std::to_string(proved->height) + ")";
    } else {
      human += "no accepted record";
    }
    human += "; " + std::to_string(given) + " zone file(s) replayed" +
             (page->domain.next_anchor ? ", older ones on the next page" : "") + "\n";
    Print(g, j, human);
  });
  auto* state = proof->add_subcommand("state", "Check a state proof against a root (default: the one it names)");
  state->add_option("FILE", o->file, "The proof (GET /v1/proofs/state/{name})")->required();
  state->add_option("--root", o->root, "The root to check it against (64 hex)");
  state->callback([&g, o] {
    auto text = ReadFileText(o->file);
    if (!text) return Report(g, text.error());
    auto answer = proofs::ParseStateAnswer(*text);
    if (!answer) return ReportNotVerified(g, "state: " + answer.error().message);
    proofs::Hash256 root = answer->root;
    if (!o->root.empty()) {
      auto given = proofs::Hash256::FromHex(o->root);
      if (!given) return ReportExit(g, EXIT_INVALID, "--root: not 64 hex digits");
      root = *given;
    }
    auto value = proofs::VerifyState(*answer, root);
    if (!value) return ReportNotVerified(g, value.error().message);
    Print(g,
          {{"name", answer->name},
           {"height", answer->height},
           {"present", value->has_value()},
           {"state_value", *value ? json((*value)->Hex()) : json(nullptr)}},
          answer->name + (*value ? " present: " + (*value)->Hex() : std::string(" absent")) + "\n");
  });
}

}  // namespace blockstack::cli
