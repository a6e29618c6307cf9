// NAME_UPDATE (spec bns.md §2.3).
#include <bns/ops/ops.h>

#include <bns/lifecycle.h>
#include <bns/names.h>

namespace blockstack::bns::ops {

std::optional<UpdateOp> ParseUpdate(const OpTx& tx, const Rules&) {
  if (tx.payload.size() != 36) return std::nullopt;
  UpdateOp op;
  op.name_consensus_hash = Hex(util::ByteView(tx.payload.data(), 16));
  op.value_hash = Hex(util::ByteView(tx.payload.data() + 16, 20));
  return op;
}

util::Result<Outcome> CheckUpdate(const UpdateOp& op, const OpTx& tx, StateView& state, BlockContext&,
                                  const Rules& rules) {
  const uint32_t h = tx.block_height;
  BS_TRY(auto owned, LiveNameListOwnedBy(state, tx.sender, h - 1, rules, /*unrevoked_only=*/true));
  if (owned.size() > MAX_NAMES_PER_SENDER) return Outcome::Reject("sender owns more than 25 names");
  // The name is the one whose hash with a consensus hash of blocks [H-24, H] (only
  // blocks below H are stored) matches. The hashes are 128-bit, so at most one pair
  // matches and the search order cannot change the result: newest hash first, since
  // clients use the latest one.
  std::optional<std::string> found_name;
  std::string matched;
  const uint32_t oldest = h > CONSENSUS_HASH_WINDOW ? h - CONSENSUS_HASH_WINDOW : 0;
  for (uint32_t b = h; b-- > oldest && !found_name;) {
    BS_TRY(auto ch, state.ConsensusHashAt(b));
    if (!ch) continue;
    for (const auto& name : owned) {
      if (Hash128Matches(op.name_consensus_hash, name, *ch)) {
        found_name = name;
        matched = *ch;
        break;
      }
    }
  }
  if (!found_name) return Outcome::Reject("no name of the sender matches the update's name hash");
  BS_TRY(auto found_rec, state.GetName(*found_name));
  if (!found_rec) return Outcome::Reject("name " + *found_name + " does not exist");
  const NameRecord* found = &*found_rec;
  BS_TRY(auto ns, state.GetNamespace(found->namespace_id));
  if (!ns || !ns->IsReady()) return Outcome::Reject("namespace is not ready");
  if (ns->lifetime != NAMESPACE_LIFE_INFINITE) {
    auto at_prev = StatusAt(*found, *ns, h - 1, rules.epochs, rules.namespace_reveal_expire);
    auto at_h = StatusAt(*found, *ns, h, rules.epochs, rules.namespace_reveal_expire);
    if (!at_prev.live) return Outcome::Reject("name " + found->name + " is expired");
    if (at_h.in_grace)
      return Outcome::Reject("name " + found->name + " is in its grace period: only renewal is allowed");
  }

  NameRecord rec = *found;
  rec.value_hash = op.value_hash;
  rec.consensus_hash = matched;
  rec.op = std::string(1, NAME_UPDATE);
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;

  Effect e;
  auto values = NameRecordValues(rec);
  values.emplace_back(NameConsensusHash(rec.name, matched));
  values.emplace_back(matched);
  e.serialized = virtualchain::SerializeOp(NAME_UPDATE, values);
  HistoryEntry hist = MakeHistory(tx, rec.name, rec.op, "NAME_UPDATE", rec.value_hash, RecordData(rec));
  e.history.push_back(std::move(hist));
  e.name = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildUpdate(std::string_view magic, std::string_view fqn, std::string_view consensus_hash_hex,
                        const util::Hash160& value_hash) {
  auto nch = util::FromHex(NameConsensusHash(fqn, consensus_hash_hex)).value_or(util::Bytes(16, 0));
  nch.insert(nch.end(), value_hash.begin(), value_hash.end());
  return MakeOpData(magic, NAME_UPDATE, nch);
}

}  // namespace blockstack::bns::ops
