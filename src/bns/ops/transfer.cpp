// NAME_TRANSFER (spec bns.md §2.4).
#include <bns/ops/ops.h>

#include <bitcoin/script.h>
#include <bns/lifecycle.h>
#include <bns/names.h>

namespace blockstack::bns::ops {

inline constexpr char KEEP_DATA = '>';
inline constexpr char REMOVE_DATA = '~';

std::optional<TransferOp> ParseTransfer(const OpTx& tx, const Rules& rules) {
  const auto& p = tx.payload;
  if (p.size() != 33) return std::nullopt;
  if (p[0] != KEEP_DATA && p[0] != REMOVE_DATA) return std::nullopt;
  if (!OutputsTypeChecked(tx, 2)) return std::nullopt;
  auto recipient_address = OutputAddress(tx, 1, rules);
  if (!recipient_address) return std::nullopt;
  TransferOp op;
  op.keep_data = p[0] == KEEP_DATA;
  op.name_hash128 = Hex(util::ByteView(p.data() + 1, 16));
  op.consensus_hash = Hex(util::ByteView(p.data() + 17, 16));
  op.recipient = Hex(tx.outputs[1].script_pubkey);
  op.recipient_address = *recipient_address;
  return op;
}

util::Result<Outcome> CheckTransfer(const TransferOp& op, const OpTx& tx, StateView& state, BlockContext&,
                                    const Rules& rules) {
  const uint32_t h = tx.block_height;
  // The name is looked for among the sender's own names: a transfer is valid only
  // from the owner, and a name hash is unique to its name (it is the hash of the
  // name), so the name found is the one a search of every name would find. A
  // transfer of someone else's name, or of no name, finds nothing and is refused.
  BS_TRY(auto owned, state.NameSummariesOwnedBy(tx.sender));
  std::optional<LoadedName> found;
  for (const auto& summary : *owned) {
    if (summary.revoked || !Hash128Matches(op.name_hash128, summary.name)) continue;
    BS_TRY(auto rec, state.GetName(summary.name));
    BS_TRY(auto ns, state.GetNamespace(summary.namespace_id));
    if (!rec || !ns) continue;
    if (!rec->revoked && StatusAt(*rec, *ns, h - 1, rules.epochs, rules.namespace_reveal_expire).live) {
      found = LoadedName{std::move(*rec), std::move(*ns)};
      break;
    }
  }
  if (!found) return Outcome::Reject("the sender owns no live name with this name hash (not the owner, or no such name)");
  const NameRecord& cur = found->rec;
  const NamespaceRecord& ns = found->ns;
  if (!ns.IsReady()) return Outcome::Reject("namespace is not ready");
  if (StatusAt(cur, ns, h, rules.epochs, rules.namespace_reveal_expire).in_grace) {
    return Outcome::Reject("name " + cur.name + " is in its grace period: only renewal is allowed");
  }
  BS_TRY(bool ch_ok, ConsensusHashInWindow(state, op.consensus_hash, h));
  if (!ch_ok) return Outcome::Reject("consensus hash " + op.consensus_hash + " is not from the last 24 blocks");
  if (tx.sender == op.recipient) return Outcome::Reject("sender and recipient are the same");
  BS_TRY(auto recipient_names, LiveNameListOwnedBy(state, op.recipient, h - 1, rules));
  if (recipient_names.size() >= MAX_NAMES_PER_SENDER) return Outcome::Reject("recipient already owns 25 names");
  const auto& epoch = rules.epochs.At(h);
  if (!epoch.multisig && tx.sender_type == bitcoin::ScriptType::P2sh) {
    return Outcome::Reject("p2sh senders are not allowed in this epoch");
  }

  NameRecord rec = cur;
  rec.sender = op.recipient;
  rec.address = op.recipient_address;
  rec.sender_pubkey = std::nullopt;
  if (!op.keep_data) rec.value_hash = std::nullopt;
  rec.op = std::string(1, NAME_TRANSFER) + (op.keep_data ? KEEP_DATA : REMOVE_DATA);
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  // QUIRK: the hash mixed into the consensus hash is the last NAME_UPDATE's since the
  // name was registered (the record's column), else the transfer's own. The column
  // itself is left as it was.
  std::string hashed_ch = cur.consensus_hash.value_or(op.consensus_hash);

  Effect e;
  auto values = NameRecordValues(rec);
  values.emplace_back(op.name_hash128);
  values.emplace_back(hashed_ch);
  values.emplace_back(op.keep_data);
  e.serialized = virtualchain::SerializeOp(NAME_TRANSFER, values);
  HistoryEntry hist = MakeHistory(tx, rec.name, rec.op, "NAME_TRANSFER", rec.value_hash, RecordData(rec));
  e.history.push_back(std::move(hist));
  e.name = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildTransfer(std::string_view magic, std::string_view fqn, bool keep_data,
                          std::string_view consensus_hash_hex) {
  util::Bytes body{static_cast<uint8_t>(keep_data ? KEEP_DATA : REMOVE_DATA)};
  auto nh = util::FromHex(NameHash128(fqn)).value_or(util::Bytes(16, 0));
  body.insert(body.end(), nh.begin(), nh.end());
  auto ch = util::FromHex(consensus_hash_hex).value_or(util::Bytes(16, 0));
  ch.resize(16);
  body.insert(body.end(), ch.begin(), ch.end());
  return MakeOpData(magic, NAME_TRANSFER, body);
}

}  // namespace blockstack::bns::ops
