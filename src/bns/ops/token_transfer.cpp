// TOKEN_TRANSFER (spec bns.md §2.11). Parsed in full; rejected while STACKS
// accounts are absent (§2.12, doc/bns.md).
#include <bns/ops/ops.h>

#include <util/serialize.h>

namespace blockstack::bns::ops {

std::optional<TokenTransferOp> ParseTokenTransfer(const OpTx& tx, const Rules& rules) {
  if (!rules.epochs.At(tx.block_height).token_transfer) return std::nullopt;
  const auto& p = tx.payload;
  if (p.size() < 43 || p.size() > 43 + 34) return std::nullopt;
  if (!OutputsTypeChecked(tx, 2)) return std::nullopt;
  auto recipient_address = OutputAddress(tx, 1, rules);
  if (!recipient_address) return std::nullopt;
  util::ByteReader r(p);
  TokenTransferOp op;
  op.consensus_hash = Hex(*r.Take(16));
  std::string type(util::AsChars(*r.Take(19)));
  op.token_type = type.substr(0, type.find('\0'));
  op.amount = *r.U64BE();  // big-endian, whatever the wire-format document says
  op.scratch_area = Hex(*r.Take(r.Remaining()));
  op.recipient = Hex(tx.outputs[1].script_pubkey);
  op.recipient_address = *recipient_address;
  return op;
}

util::Result<Outcome> CheckTokenTransfer(const TokenTransferOp& op, const OpTx& tx, StateView& state, BlockContext&,
                                         const Rules& rules) {
  if (op.amount == 0) return Outcome::Reject("token transfer of zero");
  if (op.recipient_address == tx.sender_address) return Outcome::Reject("sender and recipient are the same");
  const bool zero_ok = rules.epochs.At(tx.block_height).token_transfer_zero_consensus &&
                       op.consensus_hash == std::string(32, '0');
  if (!zero_ok) {
    BS_TRY(bool ch_ok, ConsensusHashInWindow(state, op.consensus_hash, tx.block_height));
    if (!ch_ok) return Outcome::Reject("consensus hash " + op.consensus_hash + " is not from the last 24 blocks");
  }
  return Outcome::Reject("sender " + tx.sender_address + " has no STACKS account");
}

}  // namespace blockstack::bns::ops
