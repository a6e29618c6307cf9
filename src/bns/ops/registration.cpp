// NAME_REGISTRATION and NAME_RENEWAL (spec bns.md §2.2).
#include <bns/ops/ops.h>

#include <bitcoin/address.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <util/serialize.h>

namespace blockstack::bns::ops {
namespace {

constexpr std::size_t PADDED_NAME = 37;
constexpr std::size_t FORM_B = PADDED_NAME + 20;
constexpr std::size_t FORM_C = FORM_B + 8;

Outcome Serialize(NameRecord rec, const OpTx& tx, std::optional<PreorderRecord> consumed, bool renewal) {
  Effect e;
  auto values = NameRecordValues(rec);
  values.emplace_back(rec.sender);
  values.emplace_back(rec.address);
  e.serialized = virtualchain::SerializeOp(NAME_REGISTRATION, values);
  HistoryEntry hist = MakeHistory(tx, rec.name, rec.op, renewal ? "NAME_RENEWAL" : "NAME_REGISTRATION", rec.value_hash, RecordData(rec));
  if (!renewal) hist.creator_address = rec.address;
  if (consumed) e.history.push_back(PreorderHistory(*consumed, rec.name, "NAME_PREORDER"));
  e.history.push_back(std::move(hist));
  e.consumed_preorder = std::move(consumed);
  e.name = std::move(rec);
  return Outcome::Accept(std::move(e));
}

}  // namespace

std::optional<RegistrationOp> ParseRegistration(const OpTx& tx, const Rules& rules) {
  const auto& epoch = rules.epochs.At(tx.block_height);
  const auto& p = tx.payload;
  RegistrationOp op;
  op.renewal = tx.outputs.size() >= 4;
  if (epoch.register_update && p.size() >= FORM_B) {
    const bool tokens_allowed = epoch.namespace_pay_with_stacks;
    if (p.size() != FORM_B && !(tokens_allowed && p.size() == FORM_C)) return std::nullopt;
    std::string padded(util::AsChars(util::ByteView(p.data(), PADDED_NAME)));
    op.name = padded.substr(0, padded.find_last_not_of('\0') + 1);
    op.value_hash = Hex(util::ByteView(p.data() + PADDED_NAME, 20));
    if (p.size() == FORM_C) {
      util::ByteReader r(util::ByteView(p.data() + FORM_B, 8));
      op.token_fee = *r.U64BE();
    } else if (tokens_allowed && op.renewal) {
      // QUIRK: from epoch 4 a renewal carrying a value hash must carry the token field.
      return std::nullopt;
    }
  } else {
    if (p.size() < 3 || p.size() > PADDED_NAME) return std::nullopt;
    op.name = std::string(util::AsChars(p));
  }
  if (!IsNameValid(op.name)) return std::nullopt;
  if (!OutputsTypeChecked(tx, 2)) return std::nullopt;
  auto recipient_address = OutputAddress(tx, 1, rules);
  if (!recipient_address) return std::nullopt;
  op.recipient = Hex(tx.outputs[1].script_pubkey);
  op.recipient_address = *recipient_address;
  if (op.renewal) {
    op.renewal_fee = tx.outputs[3].value;
    op.renewal_burn_address = OutputAddress(tx, 3, rules);
    if (!op.renewal_burn_address) return std::nullopt;
  } else if (auto hash = HashName(op.name, util::FromHex(tx.sender).value_or(util::Bytes{}), op.recipient_address)) {
    op.preorder_hash = *hash;
  }
  op.name_hash128 = NameHash128(op.name);
  return op;
}

namespace {

// The fee rules shared by registration (fee block = the preorder's) and renewal
// (fee block = H). Returns a rejection reason, or nullopt when paid correctly.
std::optional<std::string> CheckPayment(const std::string& name_only, const NamespaceRecord& ns, uint32_t h,
                                        uint32_t fee_block, int64_t paid, const std::string& burn_address,
                                        bool paid_in_stacks, const Rules& rules) {
  const auto& epoch_h = rules.epochs.At(h);
  std::string expected_burn = rules.BurnAddress();
  if (ns.version == NAMESPACE_VERSION_PAY_TO_CREATOR) {
    if (!epoch_h.namespace_burn_to_creator) return "pay-to-creator namespaces are not active in this epoch";
    if (uint64_t{ns.reveal_block} + epoch_h.namespace_receive_fees_period >= h) {
      if (paid_in_stacks) return "names in a pay-to-creator namespace cannot be paid in STACKS";
      expected_burn = ns.address;
    }
  } else if (ns.version == NAMESPACE_VERSION_PAY_WITH_STACKS) {
    return "the namespace is paid in STACKS, and STACKS accounts are not available";
  }
  if (paid_in_stacks) return "STACKS payment, but STACKS accounts are not available";
  if (burn_address != expected_burn) return "fee paid to " + burn_address + " instead of " + expected_burn;
  Price price = PriceName(name_only, ns.Pricing(), rules.epochs.At(fee_block));
  if (paid < 0 || !price.CoveredBy(static_cast<uint64_t>(paid))) {
    return "paid " + std::to_string(paid) + " but the name costs " + std::to_string(price.Ceil());
  }
  return std::nullopt;
}

}  // namespace

util::Result<Outcome> CheckRegistration(const RegistrationOp& op, const OpTx& tx, StateView& state,
                                        BlockContext& block, const Rules& rules) {
  const uint32_t h = tx.block_height;
  const auto& epoch = rules.epochs.At(h);
  auto split = Split(op.name);
  if (!split) return Outcome::Reject("invalid name");
  BS_TRY(auto ns_opt, state.GetNamespace(split->namespace_id));
  if (!ns_opt || !ns_opt->IsReady()) return Outcome::Reject("namespace " + split->namespace_id + " is not ready");
  const NamespaceRecord& ns = *ns_opt;
  BS_TRY(auto prev, state.GetName(op.name));
  std::optional<NameStatus> prev_status;
  if (prev) prev_status = StatusAt(*prev, ns, h - 1, rules.epochs, rules.namespace_reveal_expire);
  BS_TRY(uint32_t owned, NamesOwnedCount(state, block, op.recipient, h, rules));
  if (owned >= MAX_NAMES_PER_SENDER) return Outcome::Reject("recipient already owns 25 names");

  if (op.renewal) {
    // --- renewal: the owner extends the name, may hand it over and set a hash ---
    if (!prev || !prev_status->live) return Outcome::Reject("name " + op.name + " is not registered");
    if (prev->revoked) return Outcome::Reject("name " + op.name + " is revoked");
    if (prev->sender != tx.sender) return Outcome::Reject("renewal not sent by the owner");
    if (!epoch.renew_transfer_update && (op.recipient != tx.sender || op.recipient_address != tx.sender_address)) {
      return Outcome::Reject("renewal may not change the owner in this epoch");
    }
    const bool stacks = op.token_fee.has_value() && *op.token_fee > 0;
    if (auto why = CheckPayment(split->name, ns, h, h, op.renewal_fee, *op.renewal_burn_address, stacks, rules)) {
      return Outcome::Reject(*why);
    }
    NameRecord rec = *prev;
    rec.sender = op.recipient;
    rec.address = op.recipient_address;
    rec.last_renewed = h;
    rec.op = "::";
    rec.txid = tx.txid;
    rec.vtxindex = tx.vtxindex;
    // QUIRK (the original's op_fee quirk): a name created by NAME_IMPORT keeps a
    // float op_fee through every later transition, a renewal's included.
    if (rec.last_creation_op == std::string(1, NAME_IMPORT)) {
      rec.op_fee = static_cast<double>(op.renewal_fee);
    } else {
      rec.op_fee = op.renewal_fee;
    }
    rec.token_fee = "0";
    rec.namespace_block_number = ns.block_number;
    if (epoch.renew_transfer_update && op.value_hash) rec.value_hash = op.value_hash;
    return Serialize(std::move(rec), tx, std::nullopt, /*renewal=*/true);
  }

  // --- registration: reveals a preorder ---
  if (block.collided.count(op.name) != 0) return Outcome::Reject("name " + op.name + " registered twice in one block");
  if (prev && prev_status->live) {
    return Outcome::Reject(prev->revoked ? "name " + op.name + " is revoked" : "name " + op.name + " is already registered");
  }
  if (!epoch.multisig &&
      bitcoin::ClassifyScript(util::FromHex(op.recipient).value_or(util::Bytes{})) == bitcoin::ScriptType::P2sh) {
    return Outcome::Reject("p2sh recipients are not allowed in this epoch");
  }
  util::Hash160 hash;
  if (op.preorder_hash) {
    hash = *op.preorder_hash;
  } else {
    BS_TRY(hash, HashName(op.name, util::FromHex(tx.sender).value_or(util::Bytes{}), op.recipient_address));
  }
  BS_TRY(auto preorder, state.GetPreorder(hash.Hex()));
  if (!preorder || preorder->op != std::string(1, NAME_PREORDER)) {
    return Outcome::Reject("no preorder for this name, sender and recipient");
  }
  const auto& epoch_prev = rules.epochs.At(h - 1);
  if (ns.lifetime != NAMESPACE_LIFE_INFINITE &&
      uint64_t{preorder->block_number} + uint64_t{ns.lifetime} * epoch_prev.lifetime_multiplier <= h - 1) {
    return Outcome::Reject("the preorder is older than the namespace's name lifetime");
  }
  if (epoch.fix_preorder_expire && uint64_t{preorder->block_number} + NAME_PREORDER_EXPIRE < h) {
    return Outcome::Reject("the preorder expired");
  }
  if (preorder->block_number < ns.ready_block) return Outcome::Reject("the preorder predates the namespace's ready block");
  if (preorder->sender != tx.sender) return Outcome::Reject("registration not sent by the preorderer");
  if (op.value_hash && !epoch.register_update) return Outcome::Reject("zone-file hash in a registration is not active");
  const bool stacks = preorder->token_units == "STACKS";
  if (auto why = CheckPayment(split->name, ns, h, preorder->block_number, preorder->op_fee, preorder->burn_address,
                              stacks, rules)) {
    return Outcome::Reject(*why);
  }

  NameRecord rec;
  rec.name = op.name;
  rec.namespace_id = split->namespace_id;
  rec.preorder_hash = preorder->preorder_hash;
  rec.name_hash128 = op.name_hash128.empty() ? NameHash128(op.name) : op.name_hash128;
  rec.namespace_block_number = ns.block_number;
  rec.value_hash = op.value_hash;
  rec.sender = op.recipient;
  rec.sender_pubkey = tx.sender_pubkey;
  rec.address = op.recipient_address;
  // A name registered again after it expired keeps its first block number.
  rec.block_number = prev ? prev->block_number : preorder->block_number;
  rec.preorder_block_number = preorder->block_number;
  rec.first_registered = h;
  rec.last_renewed = h;
  rec.revoked = false;
  rec.op = std::string(1, NAME_REGISTRATION);
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  rec.op_fee = preorder->op_fee;
  rec.token_fee = preorder->token_fee;
  rec.last_creation_op = std::string(1, NAME_PREORDER);
  block.registration_recipients.push_back(rec.sender);
  return Serialize(std::move(rec), tx, std::move(*preorder), /*renewal=*/false);
}

util::Bytes BuildRegistration(std::string_view magic, std::string_view fqn,
                              const std::optional<util::Hash160>& value_hash) {
  util::Bytes body(fqn.begin(), fqn.end());
  if (value_hash) {
    body.resize(PADDED_NAME, 0);
    body.insert(body.end(), value_hash->begin(), value_hash->end());
  }
  return MakeOpData(magic, NAME_REGISTRATION, body);
}

}  // namespace blockstack::bns::ops
