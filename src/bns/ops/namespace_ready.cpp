// NAMESPACE_READY (spec bns.md §2.9).
#include <bns/ops/ops.h>

#include <bns/lifecycle.h>
#include <bns/names.h>

namespace blockstack::bns::ops {

std::optional<ReadyOp> ParseReady(const OpTx& tx, const Rules&) {
  const auto& p = tx.payload;
  if (p.size() < 2 || p[0] != '.') return std::nullopt;
  std::string id(util::AsChars(util::ByteView(p).subspan(1)));
  if (!IsNamespaceIdValid(id)) return std::nullopt;
  return ReadyOp{id};
}

util::Result<Outcome> CheckReady(const ReadyOp& op, const OpTx& tx, StateView& state, BlockContext&,
                                 const Rules& rules) {
  const uint32_t h = tx.block_height;
  BS_TRY(auto ns, state.GetNamespace(op.namespace_id));
  if (!ns) return Outcome::Reject("namespace " + op.namespace_id + " is not revealed");
  if (ns->IsReady()) return Outcome::Reject("namespace " + op.namespace_id + " is already ready");
  if (IsRevealExpired(*ns, h, rules.namespace_reveal_expire)) {
    return Outcome::Reject("namespace " + op.namespace_id + " reveal has expired");
  }
  if (ns->recipient != tx.sender) return Outcome::Reject("ready not sent by the namespace revealer");
  NamespaceRecord rec = *ns;
  // As the original (namespaceready.py): the record takes the READY's sender
  // (a mutated field) but keeps the revealed namespace's sender_pubkey and
  // address.
  rec.sender = tx.sender;
  rec.ready_block = h;
  rec.op = std::string(1, NAMESPACE_READY);
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  Effect e;
  e.serialized = virtualchain::SerializeOp(NAMESPACE_READY, NamespaceValues(rec, true));
  HistoryEntry hist = MakeHistory(tx, rec.namespace_id, rec.op, "NAMESPACE_READY", std::nullopt, RecordData(rec));
  e.history.push_back(std::move(hist));
  e.ns = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildReady(std::string_view magic, std::string_view namespace_id) {
  util::Bytes body{'.'};
  body.insert(body.end(), namespace_id.begin(), namespace_id.end());
  return MakeOpData(magic, NAMESPACE_READY, body);
}

}  // namespace blockstack::bns::ops
