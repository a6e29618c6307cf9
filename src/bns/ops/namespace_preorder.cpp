// NAMESPACE_PREORDER (spec bns.md §2.7).
#include <bns/ops/ops.h>

#include <util/serialize.h>

namespace blockstack::bns::ops {

std::optional<NamespacePreorderOp> ParseNamespacePreorder(const OpTx& tx, const Rules& rules) {
  const auto& epoch = rules.epochs.At(tx.block_height);
  const auto& p = tx.payload;
  // 36 bytes in epochs 1-3; from epoch 4 the 8-byte token fee is required.
  if (epoch.namespace_pay_with_stacks ? p.size() != 44 : p.size() != 36) return std::nullopt;
  if (tx.outputs.size() < 3 || !OutputsTypeChecked(tx, 3)) return std::nullopt;
  auto burn = OutputAddress(tx, 2, rules);
  if (!burn) return std::nullopt;
  NamespacePreorderOp op;
  op.preorder_hash = Hex(util::ByteView(p.data(), 20));
  op.consensus_hash = Hex(util::ByteView(p.data() + 20, 16));
  if (p.size() == 44) {
    util::ByteReader r(util::ByteView(p.data() + 36, 8));
    op.token_fee = *r.U64BE();
  }
  op.op_fee = tx.outputs[2].value;
  op.burn_address = *burn;
  return op;
}

util::Result<Outcome> CheckNamespacePreorder(const NamespacePreorderOp& op, const OpTx& tx, StateView& state,
                                             BlockContext& block, const Rules& rules) {
  const uint32_t h = tx.block_height;
  if (block.preorder_hashes.count(op.preorder_hash) != 0) {
    return Outcome::Reject("preorder hash already used earlier in this block");
  }
  BS_TRY(auto existing, state.GetPreorder(op.preorder_hash));
  if (existing) return Outcome::Reject("namespace preorder hash " + op.preorder_hash + " is already preordered");
  BS_TRY(bool ch_ok, ConsensusHashInWindow(state, op.consensus_hash, h));
  if (!ch_ok) return Outcome::Reject("consensus hash " + op.consensus_hash + " is not from the last 24 blocks");
  if (op.burn_address != rules.BurnAddress()) {
    return Outcome::Reject("namespace fee paid to " + op.burn_address + ", not the burn address");
  }
  if (op.token_fee) return Outcome::Reject("STACKS-paid namespace preorder, but the sender has no STACKS account");

  PreorderRecord rec = MakePreorder(tx, NAMESPACE_PREORDER, op.preorder_hash, op.consensus_hash, op.op_fee, op.burn_address);
  block.preorder_hashes.insert(op.preorder_hash);

  Effect e;
  e.serialized = virtualchain::SerializeOp(
      NAMESPACE_PREORDER, {rec.preorder_hash, rec.consensus_hash, rec.op, rec.op_fee, rec.txid,
                           int64_t{rec.vtxindex}, int64_t{rec.block_number}, rec.sender, Opt(rec.sender_pubkey),
                           rec.address});
  e.new_preorder = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildNamespacePreorder(std::string_view magic, const util::Hash160& preorder_hash,
                                   std::string_view consensus_hash_hex) {
  util::Bytes body(preorder_hash.begin(), preorder_hash.end());
  auto ch = util::FromHex(consensus_hash_hex).value_or(util::Bytes(16, 0));
  ch.resize(16);
  body.insert(body.end(), ch.begin(), ch.end());
  return MakeOpData(magic, NAMESPACE_PREORDER, body);
}

}  // namespace blockstack::bns::ops
