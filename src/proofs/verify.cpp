#include <proofs/verify.h>

#include <algorithm>
#include <charconv>
#include <set>

#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <crypto/hash.h>
#include <subdomain/record.h>
#include <util/bytes.h>
#include <virtualchain/consensus.h>

namespace blockstack::proofs {

using util::ErrorCode;
using util::Fail;

namespace {

util::Unexpected Failed(const std::string& step, const std::string& what) {
  return Fail(ErrorCode::InvalidArgument, step + ": " + what);
}

std::optional<uint32_t> ToU32(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string BlockStep(uint32_t height) { return "block " + std::to_string(height); }

// The transaction is the one named and carries a Blockstack payload of the opcode.
util::Status CheckTransaction(const NameOp& op, char opcode, const std::string& step) {
  auto raw = util::FromHex(op.raw_tx);
  if (!raw) return Failed(step, "its transaction is not hex");
  util::Hash256 txid;
  auto tx = bitcoin::ParseTransaction(*raw, &txid);
  if (!tx) return Failed(step, "its transaction does not parse: " + tx.error().message);
  if (txid.ReversedHex() != op.txid) return Failed(step, "its transaction hashes to " + txid.ReversedHex());
  for (const auto& out : tx->outputs) {
    auto payload = bitcoin::OpReturnPayload(out.script_pubkey);
    if (payload && payload->size() >= 3 && static_cast<char>((*payload)[2]) == opcode) return util::Ok();
  }
  return Failed(step, "its transaction carries no payload of opcode '" + std::string(1, opcode) + "'");
}

}  // namespace

util::Result<VerifiedHistory> VerifyHistory(const HistoryBundle& bundle, std::string_view trusted_consensus_hash,
                                            std::optional<uint32_t> trusted_height) {
  VerifiedHistory out;
  out.name = bundle.name;
  out.anchor_height = bundle.anchor_height;
  if (bundle.anchor_consensus_hash != trusted_consensus_hash) {
    return Failed("anchor", "the bundle is anchored on " + bundle.anchor_consensus_hash + ", not the trusted " +
                                std::string(trusted_consensus_hash));
  }
  if (trusted_height && *trusted_height != bundle.anchor_height) {
    return Failed("anchor", "the bundle puts the trusted hash at block " + std::to_string(bundle.anchor_height) +
                                ", not " + std::to_string(*trusted_height));
  }
  if (bundle.anchor_height < bundle.first_block) return Failed("anchor", "below the first block");
  // 1. Links, from the anchor down: each recomputes a consensus hash already
  // proved, and proves the earlier ones it mixed in.
  auto& proved = out.consensus_hashes;
  proved[bundle.anchor_height] = bundle.anchor_consensus_hash;
  std::map<uint32_t, const Link*> links;
  std::optional<uint32_t> below;
  for (const auto& link : bundle.links) {
    const std::string step = "link at block " + std::to_string(link.height);
    if (below && link.height >= *below) return Failed(step, "links are not in descending order");
    below = link.height;
    auto known = proved.find(link.height);
    if (known == proved.end()) return Failed(step, "not reached from the anchor by the links above it");
    if (link.height < bundle.first_block) return Failed(step, "below the first block");
    const auto heights = virtualchain::PreviousHashHeights(link.height, bundle.first_block);
    if (heights.size() != link.previous.size()) {
      return Failed(step, "mixes in " + std::to_string(link.previous.size()) + " earlier hashes, not " +
                              std::to_string(heights.size()));
    }
    const std::string ch = virtualchain::ConsensusHash(link.previous, link.ops_hash);
    if (ch != known->second) return Failed(step, "its consensus hash is " + ch + ", not " + known->second);
    for (std::size_t i = 0; i < heights.size(); ++i) {
      auto [it, added] = proved.emplace(heights[i], link.previous[i]);
      if (!added && it->second != link.previous[i]) {
        return Failed(step, "gives block " + std::to_string(heights[i]) + " another consensus hash");
      }
    }
    links[link.height] = &link;
  }
  // 2. Blocks: the ops hash recomputed, the name's operations found in it.
  std::optional<uint32_t> newer;
  for (const auto& block : bundle.blocks) {
    const std::string step = BlockStep(block.height);
    if (newer && block.height >= *newer) return Failed(step, "blocks are not in descending order");
    newer = block.height;
    if (block.height > bundle.anchor_height) return Failed(step, "above the anchor");
    auto link = links.find(block.height);
    if (link == links.end()) return Failed(step, "no link proves its ops hash");
    const std::string ops_hash = virtualchain::OpsHash(block.ops);
    if (ops_hash != link->second->ops_hash) {
      return Failed(step, "its operations hash to " + ops_hash + ", not the proved " + link->second->ops_hash);
    }
    if (block.name_ops.empty()) return Failed(step, "names none of the name's operations");
    // The block's operations on the name, read once. They are all there (their
    // hash is proved): every one must be among those the bundle gives with
    // their transactions.
    std::vector<std::pair<SerializedOp, std::string_view>> on_name;
    for (const auto& s : block.ops) {
      auto op = ParseSerializedOp(s);
      if (op && IsNameOpcode(op->opcode) && op->fields.size() >= NAME_RECORD_FIELDS &&
          op->fields[FIELD_NAME] == bundle.name) {
        on_name.emplace_back(std::move(*op), s);
      }
    }
    if (on_name.size() != block.name_ops.size()) {
      return Failed(step, "has " + std::to_string(on_name.size()) + " operation(s) on " + bundle.name +
                              ", the bundle gives " + std::to_string(block.name_ops.size()));
    }
    for (const auto& name_op : block.name_ops) {
      const std::string op_step = step + " operation " + name_op.txid;
      auto it = std::find_if(on_name.begin(), on_name.end(),
                             [&](const auto& e) { return e.first.fields[FIELD_TXID] == name_op.txid; });
      const SerializedOp* found = it == on_name.end() ? nullptr : &it->first;
      const std::string_view text = it == on_name.end() ? std::string_view() : it->second;
      if (found == nullptr) return Failed(op_step, "not among the block's operations on " + bundle.name);
      auto vtx = ToU32(found->fields[FIELD_VTXINDEX]);
      if (!vtx || *vtx != name_op.vtxindex) return Failed(op_step, "its transaction index differs from the block's");
      BS_CHECK_OK(CheckTransaction(name_op, found->opcode, op_step));
      VerifiedOp v;
      v.height = block.height;
      v.vtxindex = *vtx;
      v.txid = name_op.txid;
      v.opcode = found->opcode;
      v.op = std::string(found->fields[FIELD_OP]);
      v.address = std::string(found->fields[FIELD_ADDRESS]);
      v.value_hash = std::string(found->fields[FIELD_VALUE_HASH]);
      v.revoked = found->fields[FIELD_REVOKED] == "True";
      v.first_registered = ToU32(found->fields[FIELD_FIRST_REGISTERED]).value_or(0);
      v.last_renewed = ToU32(found->fields[FIELD_LAST_RENEWED]).value_or(0);
      BS_TRY(auto record, RecordOfOp(text));
      v.record = std::string(record.text);
      out.ops.push_back(std::move(v));
    }
  }
  std::sort(out.ops.begin(), out.ops.end(), [](const VerifiedOp& a, const VerifiedOp& b) {
    return a.height != b.height ? a.height < b.height : a.vtxindex < b.vtxindex;
  });
  if (bundle.next_anchor) {
    // The next page is anchored on a hash this one proved: the oldest block's.
    const uint32_t oldest = bundle.blocks.empty() ? 0 : bundle.blocks.back().height;
    auto it = proved.find(oldest);
    if (bundle.blocks.empty() || it == proved.end() || it->second != *bundle.next_anchor) {
      return Failed("next page", "its anchor is not the proved hash of this page's oldest block");
    }
    out.next_anchor = bundle.next_anchor;
  }
  return out;
}

Hash256 StateValueAfter(const std::vector<VerifiedOp>& ops) { return StateValue(ops.back().record, ops.size()); }

bool IsSlot(const VerifiedOp& op) {
  return (op.opcode == ':' || op.opcode == '+' || op.opcode == ';') && util::IsLowerHex(op.value_hash, 40);
}

namespace {

// A carrier's verified slots at or above first_block, each zone file checked
// against its hash. Every slot of a complete carrier (the domain) must have its
// zone file given or declared missing.
util::Status CarrierSlots(const VerifiedHistory& history, const Zonefiles& zonefiles, uint32_t first_block,
                          bool complete, const std::string& prefix, std::vector<VerifiedSlot>* out) {
  for (const auto& [hash, text] : zonefiles) {
    if (text && crypto::Hash160Of(util::AsBytes(*text)).Hex() != hash) {
      return Failed(prefix + "zone files",
                    "the zone file given for " + hash + " hashes to " + crypto::Hash160Of(util::AsBytes(*text)).Hex());
    }
  }
  for (const auto& op : history.ops) {
    if (!IsSlot(op) || op.height < first_block) continue;
    auto it = zonefiles.find(op.value_hash);
    if (it == zonefiles.end() && complete) {
      return Failed(prefix + "zone files", "the zone file " + op.value_hash + " of operation " + op.txid +
                                               " at block " + std::to_string(op.height) +
                                               " is neither given nor declared missing");
    }
    out->push_back({history.name, op.height, op.vtxindex, op.txid, op.value_hash,
                    it == zonefiles.end() ? std::nullopt : it->second});
  }
  return util::Ok();
}

}  // namespace

util::Result<VerifiedSubdomainPage> VerifySubdomainPage(const SubdomainBundle& bundle,
                                                        std::string_view trusted_consensus_hash,
                                                        std::optional<uint32_t> trusted_height) {
  auto split = subdomain::SplitSubdomainName(bundle.subdomain);
  if (!split) return Failed("subdomain bundle", bundle.subdomain + " is not a subdomain name");
  if (bundle.domain.history.name != split->domain) {
    return Failed("subdomain bundle",
                  "it gives the history of " + bundle.domain.history.name + ", not of " + split->domain);
  }
  // Subdomains are read from mainnet's block 478872, and from the chain's first
  // block elsewhere; a node that claims a later one would hide older records.
  if (bundle.first_block != subdomain::SUBDOMAINS_FIRST_BLOCK_MAINNET &&
      bundle.first_block != bundle.domain.history.first_block) {
    return Failed("subdomain bundle",
                  "its first subdomain block " + std::to_string(bundle.first_block) + " is neither mainnet's (" +
                      std::to_string(subdomain::SUBDOMAINS_FIRST_BLOCK_MAINNET) + ") nor the chain's first block");
  }
  VerifiedSubdomainPage out;
  BS_TRY(out.domain, VerifyHistory(bundle.domain.history, trusted_consensus_hash, trusted_height));
  BS_CHECK_OK(CarrierSlots(out.domain, bundle.domain.zonefiles, bundle.first_block, true, "", &out.slots));
  for (const auto& other : bundle.others) {
    const std::string prefix = other.history.name + ": ";
    if (other.history.name == split->domain) return Failed("subdomain bundle", "the domain is given twice");
    auto verified = VerifyHistory(other.history, trusted_consensus_hash, trusted_height);
    if (!verified) return Fail(ErrorCode::InvalidArgument, prefix + verified.error().message);
    BS_CHECK_OK(CarrierSlots(*verified, other.zonefiles, bundle.first_block, false, prefix, &out.slots));
  }
  return out;
}

std::optional<ProvedSubdomain> ReplaySubdomain(std::string_view fqn, uint32_t first_block,
                                               const std::vector<VerifiedSlot>& slots) {
  // Each slot once (pages overlap on nothing, but a client may pass a slot
  // twice), in chain order: the order of the node's inventory.
  std::vector<const VerifiedSlot*> ordered;
  std::set<std::string> seen;
  for (const auto& s : slots) {
    if (s.height >= first_block && s.zonefile && seen.insert(s.txid).second) ordered.push_back(&s);
  }
  std::sort(ordered.begin(), ordered.end(), [](const VerifiedSlot* a, const VerifiedSlot* b) {
    return a->height != b->height ? a->height < b->height : a->vtxindex < b->vtxindex;
  });
  struct Found {
    std::size_t position;
    const VerifiedSlot* slot;
    subdomain::Record record;
  };
  std::vector<Found> records;
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    auto parsed = subdomain::ParseZonefileSubdomains(ordered[i]->name, *ordered[i]->zonefile);
    if (!parsed) continue;
    for (auto& r : parsed->records) {
      if (r.fqn == fqn) records.push_back({i, ordered[i], std::move(r)});
    }
  }
  std::stable_sort(records.begin(), records.end(), [](const Found& a, const Found& b) {
    return a.record.seqn != b.record.seqn ? a.record.seqn < b.record.seqn : a.position < b.position;
  });
  const Found* tip = nullptr;
  std::size_t accepted = 0;
  for (const auto& f : records) {
    if (subdomain::Accepts(tip ? &tip->record : nullptr, f.record)) {
      tip = &f;
      ++accepted;
    }
  }
  if (!tip) return std::nullopt;
  ProvedSubdomain p;
  p.fqn = std::string(fqn);
  p.carrier = tip->slot->name;
  p.owner = tip->record.owner;
  p.seqn = tip->record.seqn;
  p.zonefile = tip->record.zonefile;
  p.zonefile_hash = crypto::Hash160Of(util::AsBytes(p.zonefile)).Hex();
  p.txid = tip->slot->txid;
  p.height = tip->slot->height;
  p.accepted = accepted;
  return p;
}

util::Result<std::optional<Hash256>> VerifyState(const StateAnswer& answer, const Hash256& root) {
  auto shown = CheckStateProof(root, StateKey(answer.name), answer.proof);
  if (!shown) return Failed("state", shown.error().message);
  return *shown;
}

}  // namespace blockstack::proofs
