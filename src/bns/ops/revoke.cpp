// NAME_REVOKE (spec bns.md §2.5).
#include <bns/ops/ops.h>

#include <bns/lifecycle.h>
#include <bns/names.h>

namespace blockstack::bns::ops {

std::optional<RevokeOp> ParseRevoke(const OpTx& tx, const Rules&) {
  std::string name(util::AsChars(tx.payload));
  if (!IsNameValid(name)) return std::nullopt;
  return RevokeOp{name};
}

util::Result<Outcome> CheckRevoke(const RevokeOp& op, const OpTx& tx, StateView& state, BlockContext&,
                                  const Rules& rules) {
  const uint32_t h = tx.block_height;
  BS_TRY(auto loaded, LoadName(state, op.name));
  if (!loaded) return Outcome::Reject("name " + op.name + " does not exist");
  const auto& [cur, ns] = *loaded;
  if (!ns.IsReady()) return Outcome::Reject("namespace is not ready");
  if (cur.revoked) return Outcome::Reject("name " + op.name + " is already revoked");
  auto at_prev = StatusAt(cur, ns, h - 1, rules.epochs, rules.namespace_reveal_expire);
  auto at_h = StatusAt(cur, ns, h, rules.epochs, rules.namespace_reveal_expire);
  if (!at_prev.live || at_h.expired) return Outcome::Reject("name " + op.name + " is expired");
  if (at_h.in_grace) return Outcome::Reject("name " + op.name + " is in its grace period");
  if (cur.sender != tx.sender) return Outcome::Reject("revoke not sent by the owner");

  NameRecord rec = cur;
  rec.revoked = true;
  rec.value_hash = std::nullopt;
  rec.op = std::string(1, NAME_REVOKE);
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  Effect e;
  e.serialized = virtualchain::SerializeOp(NAME_REVOKE, NameRecordValues(rec));
  HistoryEntry hist = MakeHistory(tx, rec.name, rec.op, "NAME_REVOKE", std::nullopt, RecordData(rec));
  e.history.push_back(std::move(hist));
  e.name = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildRevoke(std::string_view magic, std::string_view fqn) {
  return MakeOpData(magic, NAME_REVOKE, util::AsBytes(fqn));
}

}  // namespace blockstack::bns::ops
