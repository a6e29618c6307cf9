// ANNOUNCE (spec bns.md §2.10): no state, no consensus effect.
#include <bns/ops/ops.h>

#include <algorithm>

#include <bns/lifecycle.h>

namespace blockstack::bns::ops {

std::optional<AnnounceOp> ParseAnnounce(const OpTx& tx, const Rules&) {
  if (tx.payload.size() != 20) return std::nullopt;
  return AnnounceOp{Hex(tx.payload)};
}

util::Result<Outcome> CheckAnnounce(const AnnounceOp& op, const OpTx& tx, StateView& state, BlockContext&,
                                    const Rules& rules) {
  for (const auto& announcer : rules.announcers) {
    BS_TRY(auto loaded, LoadName(state, announcer));
    if (!loaded || loaded->rec.sender != tx.sender) continue;
    if (!StatusAt(loaded->rec, loaded->ns, tx.block_height - 1, rules.epochs, rules.namespace_reveal_expire).live) continue;
    BS_TRY(auto hashes, state.NameValueHashes(announcer));
    if (std::find(hashes.begin(), hashes.end(), op.message_hash) == hashes.end()) continue;
    Effect e;
    e.announcement = op.message_hash;
    return Outcome::Accept(std::move(e));
  }
  return Outcome::Reject("sender does not own an announcer name with this message hash");
}

util::Bytes BuildAnnounce(std::string_view magic, const util::Hash160& message_hash) {
  return MakeOpData(magic, ANNOUNCE, message_hash.view());
}

}  // namespace blockstack::bns::ops
