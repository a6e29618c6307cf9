// Verifiable lookups (doc/proofs.md): a name's history bundle anchored on a
// consensus hash, its current record (or absence) proved against the name-state
// root, and the roots themselves (/v1/proofs/...). Ours: the original had none.
#include <api/api.h>
#include <api/detail/answers.h>
#include <api/state_roots.h>

#include <algorithm>
#include <set>
#include <variant>

#include <bns/names.h>
#include <proofs/bundle.h>
#include <subdomain/record.h>
#include <util/bytes.h>
#include <virtualchain/consensus.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;
using detail::ParseUint;

namespace {

// Blocks of a name's history in one bundle; an older page is asked for with
// the next_anchor the bundle names.
constexpr std::size_t BUNDLE_BLOCKS = 64;
constexpr uint32_t HISTORY_PAGE = 100;

bool IsNameOperation(const std::string& opcode) {
  return opcode == "NAME_REGISTRATION" || opcode == "NAME_RENEWAL" || opcode == "NAME_UPDATE" ||
         opcode == "NAME_TRANSFER" || opcode == "NAME_REVOKE" || opcode == "NAME_IMPORT";
}

net::Response JsonText(std::string body) { return net::Response::Text(200, std::move(body), "application/json"); }

}  // namespace

void Api::AddProofRoutes() {
  AddDb("GET", "/v1/proofs/names/{name}", "proof_history", &Api::ProofHistory);
  AddPlain("GET", "/v1/proofs/state/{name}", "proof_state", &Api::ProofState);
  AddPlain("GET", "/v1/proofs/roots", "proof_root", &Api::ProofRoot);
  AddPlain("GET", "/v1/proofs/roots/{height}", "proof_root", &Api::ProofRoot);
}

namespace {

// A name's history bundle at the anchor: every block with an operation on the
// name (only those in `only`, when given), newest first, up to BUNDLE_BLOCKS;
// or the error answer.
std::variant<proofs::HistoryBundle, net::Response> BuildHistory(bns::db::NameDb& db, const std::string& name,
                                                                uint32_t anchor, uint32_t first,
                                                                const std::set<uint32_t>* only) {
  // The name's operations at or below the anchor, by block, newest first.
  std::map<uint32_t, std::set<std::string>, std::greater<>> blocks;
  bool more = false;
  for (uint32_t page = 0;; ++page) {
    auto rows_read = db.History(name, page, HISTORY_PAGE);
    if (!rows_read) return Backend(rows_read.error());
    auto rows = std::move(*rows_read);
    for (const auto& row : rows) {
      if (row.block_id > anchor || !IsNameOperation(row.opcode)) continue;
      if (only && !only->contains(row.block_id)) continue;
      if (blocks.size() == BUNDLE_BLOCKS && !blocks.contains(row.block_id)) {
        more = true;
        break;
      }
      blocks[row.block_id].insert(row.txid);
    }
    if (more || rows.size() < HISTORY_PAGE) break;
  }
  if (blocks.empty()) {
    return Error(404, "No operation on " + name + " at or below block " + std::to_string(anchor) +
                          " (GET /v1/proofs/state/" + name + " proves a name absent)");
  }
  proofs::HistoryBundle bundle;
  bundle.name = name;
  bundle.anchor_height = anchor;
  bundle.first_block = first;
  auto anchor_ch_read = db.ConsensusHashAt(anchor);
  if (!anchor_ch_read) return Backend(anchor_ch_read.error());
  auto anchor_ch = std::move(*anchor_ch_read);
  if (!anchor_ch) return Error(503, "No consensus hash stored for block " + std::to_string(anchor));
  bundle.anchor_consensus_hash = *anchor_ch;
  // Links: the anchor's, then down to each block in turn.
  std::vector<uint32_t> heights{anchor};
  for (const auto& [height, txids] : blocks) {
    for (uint32_t h : proofs::LinkPath(heights.back(), height, first)) heights.push_back(h);
  }
  for (uint32_t h : heights) {
    auto snap_read = db.SnapshotAt(h);
    if (!snap_read) return Backend(snap_read.error());
    auto snap = std::move(*snap_read);
    if (!snap) return Error(503, "No consensus hash stored for block " + std::to_string(h));
    proofs::Link link{h, snap->ops_hash, {}};
    for (uint32_t ph : virtualchain::PreviousHashHeights(h, first)) {
      auto ch_read = db.ConsensusHashAt(ph);
      if (!ch_read) return Backend(ch_read.error());
      auto ch = std::move(*ch_read);
      if (!ch) return Error(503, "No consensus hash stored for block " + std::to_string(ph));
      link.previous.push_back(*ch);
    }
    bundle.links.push_back(std::move(link));
  }
  for (const auto& [height, txids] : blocks) {
    auto rows_read = db.OpsAt(height);
    if (!rows_read) return Backend(rows_read.error());
    auto rows = std::move(*rows_read);
    proofs::BlockOps block;
    block.height = height;
    for (auto& row : rows) {
      if (!row.accepted) continue;
      if (row.serialized.empty()) {
        return Error(503, "Block " + std::to_string(height) +
                              " was indexed before this node kept operation serialisations: index again, or "
                              "restore from a snapshot, to serve its proofs");
      }
      if (txids.contains(row.txid)) block.name_ops.push_back({row.txid, row.vtxindex, util::ToHex(row.raw_tx)});
      block.ops.push_back(std::move(row.serialized));
    }
    bundle.blocks.push_back(std::move(block));
  }
  if (more) {
    auto ch_read = db.ConsensusHashAt(bundle.blocks.back().height);
    if (!ch_read) return Backend(ch_read.error());
    auto ch = std::move(*ch_read);
    if (ch) bundle.next_anchor = *ch;
  }
  return bundle;
}

}  // namespace

net::Response Api::ProofHistory(const net::Request& req, const Params& p, bns::db::NameDb& db) {
  const std::string name = p["name"];
  auto split = subdomain::SplitSubdomainName(name);
  if (!split) {
    if (auto problem = bns::NameProblem(name)) return Error(400, "Invalid name: " + *problem);
  }
  const uint32_t first = m_settings.rules.first_block;
  auto last_read = db.LastBlock();
  if (!last_read) return Backend(last_read.error());
  auto last = std::move(*last_read);
  if (!last) return Error(503, "No block indexed yet");
  // The anchor: a height, or a consensus hash; the last block by default.
  uint32_t anchor = *last;
  auto q = req.query.find("anchor");
  if (q != req.query.end()) {
    const std::string& a = q->second;
    if (util::IsLowerHex(a, 32)) {
      auto h_read = db.HeightOfConsensusHash(a, *last);
      if (!h_read) return Backend(h_read.error());
      auto h = std::move(*h_read);
      if (!h) return Error(404, "Unknown anchor: no block indexed here has consensus hash " + a);
      anchor = *h;
    } else if (auto h = ParseUint(a)) {
      if (*h > *last) return Error(400, "Anchor " + a + " is ahead of the last indexed block " + std::to_string(*last));
      if (*h < first) return Error(400, "Anchor " + a + " is below the first block " + std::to_string(first));
      anchor = *h;
    } else {
      return Error(400, "Invalid anchor: give a block height or a consensus hash (32 lowercase hex digits)");
    }
  }
  if (split) return ProofSubdomain(name, split->domain, anchor, db);
  auto built = BuildHistory(db, name, anchor, first, nullptr);
  if (auto* error = std::get_if<net::Response>(&built)) return std::move(*error);
  return JsonText(proofs::ToJson(std::get<proofs::HistoryBundle>(built)));
}

util::Result<proofs::Zonefiles> Api::BundleZonefiles(const proofs::HistoryBundle& bundle, uint32_t first_block) {
  proofs::Zonefiles out;
  for (const auto& block : bundle.blocks) {
    if (block.height < first_block) continue;
    for (const auto& text : block.ops) {
      auto op = proofs::ParseSerializedOp(text);
      if (!op || (op->opcode != ':' && op->opcode != '+' && op->opcode != ';') ||
          op->fields.size() < proofs::NAME_RECORD_FIELDS || op->fields[proofs::FIELD_NAME] != bundle.name) {
        continue;
      }
      const std::string hash(op->fields[proofs::FIELD_VALUE_HASH]);
      if (!util::IsLowerHex(hash, 40) || out.contains(hash)) continue;
      BS_TRY(out[hash], m_zonefiles.Get(hash));
    }
  }
  return out;
}

net::Response Api::ProofSubdomain(const std::string& fqn, const std::string& domain, uint32_t anchor,
                                  bns::db::NameDb& db) {
  if (!m_subdomains) return Error(503, "This node keeps no subdomain index");
  const uint32_t first = m_settings.rules.first_block;
  proofs::SubdomainBundle bundle;
  bundle.subdomain = fqn;
  bundle.first_block = m_subdomains->FirstBlock();
  auto built = BuildHistory(db, domain, anchor, first, nullptr);
  if (auto* error = std::get_if<net::Response>(&built)) return std::move(*error);
  bundle.domain.history = std::move(std::get<proofs::HistoryBundle>(built));
  auto zonefiles = BundleZonefiles(bundle.domain.history, bundle.first_block);
  if (!zonefiles) return Backend(zonefiles.error());
  bundle.domain.zonefiles = std::move(*zonefiles);
  // Other names whose zone files carried records the index accepted for it
  // (updates from another domain): only the blocks at or below the anchor that
  // carried them (every page repeats those below its anchor; few have any).
  auto history = m_subdomains->History(fqn);
  if (!history) return Backend(history.error());
  std::map<std::string, std::set<uint32_t>> others;
  for (const auto& state : *history) {
    if (state.domain != domain && state.block_height <= anchor) others[state.domain].insert(state.block_height);
  }
  for (const auto& [name, heights] : others) {
    auto other = BuildHistory(db, name, anchor, first, &heights);
    if (auto* error = std::get_if<net::Response>(&other)) return std::move(*error);
    proofs::Carrier carrier;
    carrier.history = std::move(std::get<proofs::HistoryBundle>(other));
    auto files = BundleZonefiles(carrier.history, bundle.first_block);
    if (!files) return Backend(files.error());
    carrier.zonefiles = std::move(*files);
    bundle.others.push_back(std::move(carrier));
  }
  return JsonText(proofs::ToJson(bundle));
}

net::Response Api::ProofState(const net::Request&, const Params& p) {
  const std::string name = p["name"];
  if (auto split = subdomain::SplitSubdomainName(name)) {
    return Error(400, "A subdomain has no state of its own: its domain's proves it (GET /v1/proofs/state/" +
                          split->domain + ", with GET /v1/proofs/names/" + name + ")");
  }
  if (auto problem = bns::NameProblem(name)) return Error(400, "Invalid name: " + *problem);
  if (!m_state) return Error(503, "The name-state tree is not kept on this node");
  auto answer = m_state->Prove(name);
  if (!answer) {
    return Error(503,
                 "The name-state tree is not ready (no block indexed yet, the node is catching up, or the tree "
                 "is being built)");
  }
  return JsonText(proofs::ToJson(*answer));
}

net::Response Api::ProofRoot(const net::Request&, const Params& p) {
  if (!m_state) return Error(503, "The name-state tree is not kept on this node");
  std::optional<uint32_t> height;
  if (!p["height"].empty()) {
    height = ParseUint(p["height"]);
    if (!height) return Error(400, "Invalid block height");
  }
  auto root = m_state->Root(height);
  if (!root) {
    return Error(404, height ? "No state root kept for block " + std::to_string(*height) +
                                   " (this node keeps the newest " + std::to_string(StateRoots::KEPT_ROOTS) +
                                   " blocks it indexed since it started)"
                             : std::string("No state root yet"));
  }
  return JsonText(proofs::ToJson(*root));
}

}  // namespace blockstack::api
