// NAMESPACE_REVEAL (spec bns.md §2.8).
#include <bns/ops/ops.h>

#include <bns/lifecycle.h>
#include <bns/names.h>
#include <util/serialize.h>

namespace blockstack::bns::ops {

std::optional<RevealOp> ParseReveal(const OpTx& tx, const Rules& rules) {
  const auto& p = tx.payload;
  if (p.size() < 18) return std::nullopt;
  util::ByteReader r(p);
  RevealOp op;
  op.lifetime = *r.U32BE();
  op.coeff = *r.U8();
  op.base = *r.U8();
  auto buckets = *r.Take(8);
  for (std::size_t i = 0; i < 8; ++i) {
    op.buckets[2 * i] = buckets[i] >> 4;
    op.buckets[2 * i + 1] = buckets[i] & 0x0f;
  }
  uint8_t discounts = *r.U8();
  op.nonalpha_discount = discounts >> 4;
  op.no_vowel_discount = discounts & 0x0f;
  op.version = *r.U16BE();
  op.namespace_id = std::string(util::AsChars(*r.Take(r.Remaining())));
  if (op.nonalpha_discount == 0 || op.no_vowel_discount == 0) return std::nullopt;
  if (op.version < 1 || op.version > 3) return std::nullopt;
  if (!IsNamespaceIdValid(op.namespace_id)) return std::nullopt;
  if (tx.outputs.size() != 3 || !OutputsTypeChecked(tx, 3)) return std::nullopt;
  auto recipient_address = OutputAddress(tx, 1, rules);
  if (!recipient_address) return std::nullopt;
  op.recipient = Hex(tx.outputs[1].script_pubkey);
  op.recipient_address = *recipient_address;
  return op;
}

util::Result<Outcome> CheckReveal(const RevealOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                  const Rules& rules) {
  const uint32_t h = tx.block_height;
  const auto& epoch = rules.epochs.At(h);
  if (!tx.sender_pubkey) return Outcome::Reject("the revealer must be a p2pkh sender whose public key is known");
  if (block.collided.count(op.namespace_id) != 0) {
    return Outcome::Reject("namespace " + op.namespace_id + " revealed twice in one block");
  }
  BS_TRY(auto existing, state.GetNamespace(op.namespace_id));
  if (existing && (existing->IsReady() || !IsRevealExpired(*existing, h, rules.namespace_reveal_expire))) {
    return Outcome::Reject("namespace " + op.namespace_id + " already exists");
  }
  auto script = util::FromHex(tx.sender).value_or(util::Bytes{});
  BS_TRY(util::Hash160 hash, HashName(op.namespace_id, script, op.recipient_address));
  BS_TRY(auto preorder, state.GetPreorder(hash.Hex()));
  if (!preorder || preorder->op != std::string(1, NAMESPACE_PREORDER)) {
    return Outcome::Reject("no namespace preorder for this ID, sender and recipient");
  }
  if (preorder->sender != tx.sender) return Outcome::Reject("reveal not sent by the preorderer");
  if (op.version == NAMESPACE_VERSION_PAY_TO_CREATOR && !epoch.namespace_burn_to_creator) {
    return Outcome::Reject("namespace version 2 is not active in this epoch");
  }
  if (op.version == NAMESPACE_VERSION_PAY_WITH_STACKS && !epoch.namespace_pay_with_stacks) {
    return Outcome::Reject("namespace version 3 is not active in this epoch");
  }
  if (preorder->token_units == "STACKS") return Outcome::Reject("STACKS payment, but STACKS accounts are not available");
  auto price = PriceNamespaceBtc(op.namespace_id, epoch, rules.test_mode);
  if (!price) return Outcome::Reject("namespaces cannot be paid in BTC in this epoch");
  if (preorder->op_fee < 0 || !price->CoveredBy(static_cast<uint64_t>(preorder->op_fee))) {
    return Outcome::Reject("paid " + std::to_string(preorder->op_fee) + " but the namespace costs " +
                           std::to_string(price->Ceil()));
  }

  NamespaceRecord rec;
  rec.namespace_id = op.namespace_id;
  rec.preorder_hash = preorder->preorder_hash;
  rec.version = op.version;
  rec.sender = tx.sender;
  rec.sender_pubkey = tx.sender_pubkey;
  rec.address = tx.sender_address;
  rec.recipient = op.recipient;
  rec.recipient_address = op.recipient_address;
  rec.block_number = existing ? existing->block_number : preorder->block_number;
  rec.reveal_block = h;
  rec.ready_block = 0;
  rec.op = std::string(1, NAMESPACE_REVEAL);
  rec.op_fee = preorder->op_fee;
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  rec.lifetime = op.lifetime;
  rec.coeff = op.coeff;
  rec.base = op.base;
  rec.buckets = op.buckets;
  rec.nonalpha_discount = op.nonalpha_discount;
  rec.no_vowel_discount = op.no_vowel_discount;
  rec.token_fee = preorder->token_fee;

  Effect e;
  e.serialized = virtualchain::SerializeOp(NAMESPACE_REVEAL, NamespaceValues(rec, false));
  HistoryEntry pre = PreorderHistory(*preorder, rec.namespace_id, "NAMESPACE_PREORDER");
  HistoryEntry hist = MakeHistory(tx, rec.namespace_id, rec.op, "NAMESPACE_REVEAL", std::nullopt, RecordData(rec));
  hist.creator_address = rec.address;
  e.history = {std::move(pre), std::move(hist)};
  e.consumed_preorder = std::move(*preorder);
  e.ns = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildReveal(std::string_view magic, const RevealOp& op) {
  util::ByteWriter w;
  w.U32BE(op.lifetime);
  w.U8(static_cast<uint8_t>(op.coeff));
  w.U8(static_cast<uint8_t>(op.base));
  for (std::size_t i = 0; i < 8; ++i) {
    w.U8(static_cast<uint8_t>(((op.buckets[2 * i] & 0x0f) << 4) | (op.buckets[2 * i + 1] & 0x0f)));
  }
  w.U8(static_cast<uint8_t>(((op.nonalpha_discount & 0x0f) << 4) | (op.no_vowel_discount & 0x0f)));
  w.U16BE(static_cast<uint16_t>(op.version));
  w.Append(util::AsBytes(op.namespace_id));
  return MakeOpData(magic, NAMESPACE_REVEAL, w.Data());
}

}  // namespace blockstack::bns::ops
