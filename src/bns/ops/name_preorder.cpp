// NAME_PREORDER (spec bns.md §2.1).
#include <bns/ops/ops.h>

#include <bns/names.h>
#include <util/serialize.h>

namespace blockstack::bns::ops {

util::Bytes MakeOpData(std::string_view magic, char opcode, util::ByteView body) {
  util::Bytes out(magic.begin(), magic.end());
  out.push_back(static_cast<uint8_t>(opcode));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::optional<NamePreorderOp> ParseNamePreorder(const OpTx& tx, const Rules& rules) {
  const auto& epoch = rules.epochs.At(tx.block_height);
  const auto& p = tx.payload;
  const bool with_tokens = p.size() == 63;
  if (p.size() != 36 && !(with_tokens && epoch.namespace_pay_with_stacks)) return std::nullopt;
  if (tx.outputs.size() != 3 || !OutputsTypeChecked(tx, 3)) return std::nullopt;
  auto burn = OutputAddress(tx, 2, rules);
  if (!burn) return std::nullopt;
  NamePreorderOp op;
  op.preorder_hash = Hex(util::ByteView(p.data(), 20));
  op.consensus_hash = Hex(util::ByteView(p.data() + 20, 16));
  if (with_tokens) {
    util::ByteReader r(util::ByteView(p.data() + 36, 27));
    op.has_token_fields = true;
    op.token_fee = *r.U64BE();
    auto units = *r.Take(19);
    std::string u(util::AsChars(units));
    op.token_units = u.substr(0, u.find('\0'));
  }
  op.op_fee = tx.outputs[2].value;
  op.burn_address = *burn;
  return op;
}

util::Result<Outcome> CheckNamePreorder(const NamePreorderOp& op, const OpTx& tx, StateView& state,
                                        BlockContext& block, const Rules& rules) {
  const uint32_t h = tx.block_height;
  if (block.preorder_hashes.count(op.preorder_hash) != 0) {
    return Outcome::Reject("preorder hash already used earlier in this block");
  }
  BS_TRY(auto existing, state.GetPreorder(op.preorder_hash));
  if (existing) return Outcome::Reject("preorder hash " + op.preorder_hash + " is already preordered");
  BS_TRY(bool ch_ok, ConsensusHashInWindow(state, op.consensus_hash, h));
  if (!ch_ok) return Outcome::Reject("consensus hash " + op.consensus_hash + " is not from the last 24 blocks");
  BS_TRY(uint32_t owned, NamesOwnedCount(state, block, tx.sender, h, rules));
  if (owned >= MAX_NAMES_PER_SENDER) return Outcome::Reject("sender already owns 25 names");
  if (op.has_token_fields) {
    // §2.12: without STACKS genesis data every account is absent.
    return Outcome::Reject("STACKS-paid preorder, but the sender has no STACKS account");
  }
  PreorderRecord rec = MakePreorder(tx, NAME_PREORDER, op.preorder_hash, op.consensus_hash, op.op_fee, op.burn_address);
  rec.token_fee = "0";
  rec.token_units = "BTC";
  block.preorder_hashes.insert(op.preorder_hash);

  Effect e;
  e.serialized = virtualchain::SerializeOp(
      NAME_PREORDER, {rec.preorder_hash, rec.consensus_hash, rec.sender, Opt(rec.sender_pubkey), rec.address,
                      int64_t{rec.block_number}, rec.op, rec.txid, int64_t{rec.vtxindex}, rec.op_fee});
  e.new_preorder = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildNamePreorder(std::string_view magic, const util::Hash160& preorder_hash,
                              std::string_view consensus_hash_hex) {
  util::Bytes body(preorder_hash.begin(), preorder_hash.end());
  auto ch = util::FromHex(consensus_hash_hex).value_or(util::Bytes(16, 0));
  ch.resize(16);
  body.insert(body.end(), ch.begin(), ch.end());
  return MakeOpData(magic, NAME_PREORDER, body);
}

}  // namespace blockstack::bns::ops
