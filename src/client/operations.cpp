#include <client/operations.h>

#include <algorithm>

#include <bitcoin/script.h>
#include <bitcoin/sign.h>
#include <crypto/hash.h>

namespace blockstack::client {

using util::ErrorCode;
using util::Fail;

namespace {
constexpr int64_t COINBASE_MATURITY = 100;  // confirmations before a coinbase output may be spent
}  // namespace

util::Result<std::vector<Utxo>> WalletUtxos(bitcoin::rpc::RpcClient& wallet, const util::Bytes& script,
                                            bitcoin::rpc::RpcClient* node) {
  auto listed = wallet.Call("listunspent", nlohmann::json::array({0, 9999999}));
  if (!listed) {
    // A node without a wallet (bitcoind -disablewallet or none loaded, bcoin's
    // node port) answers this; the wallet is elsewhere.
    return Fail(listed.error().code,
                "listing the spendable outputs: " + listed.error().message +
                    " (if this Bitcoin node has no wallet, give --wallet-rpc with the URL of one that has; bcoin: its "
                    "wallet port, 48332 on regtest)");
  }
  auto list = std::move(*listed);
  if (!list.is_array()) return Fail(ErrorCode::Corruption, "listunspent did not answer a list");
  const std::string want = util::ToHex(script);
  struct Found {
    Utxo utxo;
    int64_t confirmations;
  };
  std::vector<Found> found;
  for (const auto& e : list) {
    if (!e.is_object() || e.value("scriptPubKey", "") != want) continue;
    if (e.contains("spendable") && e["spendable"].is_boolean() && !e["spendable"].get<bool>()) continue;
    if (!e.contains("txid") || !e["txid"].is_string() || !e.contains("vout") || !e["vout"].is_number_unsigned() ||
        !e.contains("amount") || !e["amount"].is_number()) {
      continue;
    }
    auto txid = util::Hash256::FromReversedHex(e["txid"].get<std::string>());
    if (!txid) continue;
    Found f;
    f.utxo.outpoint = {*txid, e["vout"].get<uint32_t>()};
    // Amounts are BTC with 8 decimals; round to the nearest satoshi.
    f.utxo.value = static_cast<int64_t>(e["amount"].get<double>() * 1e8 + 0.5);
    f.confirmations = e.value("confirmations", int64_t{0});
    found.push_back(f);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return a.confirmations > b.confirmations; });
  // A coinbase output is spendable after 100 confirmations. bitcoind leaves
  // immature ones out of listunspent; bcoin lists them, and a transaction
  // spending one never reaches a block.
  std::vector<Utxo> out;
  for (const auto& f : found) {
    if (node && f.confirmations >= 1 && f.confirmations < COINBASE_MATURITY) {
      BS_TRY(
          auto txout,
          node->Call("gettxout", nlohmann::json::array({f.utxo.outpoint.txid.ReversedHex(), f.utxo.outpoint.index})));
      if (txout.is_object() && txout.value("coinbase", false)) continue;
    }
    out.push_back(f.utxo);
  }
  return out;
}

namespace {

enum class Role { Fixed, OwnerChange, PayerChange };

struct Slot {
  Role role;
  bitcoin::TxOut out;
};

Slot Fixed(int64_t value, util::Bytes script) { return {Role::Fixed, {value, std::move(script)}}; }
Slot OwnerChange() { return {Role::OwnerChange, {}}; }
Slot PayerChange() { return {Role::PayerChange, {}}; }

// Virtual bytes: version, counts, lock time and the segwit marker; each input as
// its spender says; outputs of at most 34 bytes (p2pkh, p2sh are smaller); the
// OP_RETURN output.
int64_t EstimateSize(const std::vector<std::pair<Utxo, Party*>>& inputs, std::size_t outputs, std::size_t payload) {
  int64_t size = 10;
  for (const auto& in : inputs) size += static_cast<int64_t>(in.second->spender.InputVsize());
  return size + 34 * static_cast<int64_t>(outputs) + 11 + static_cast<int64_t>(payload);
}

void Drop(std::vector<Utxo>& utxos, const bitcoin::OutPoint& spent) {
  std::erase_if(utxos, [&](const Utxo& u) { return u.outpoint == spent; });
}

// Funds and signs: the owner's first UTXO (when there is a separate owner) is
// input 0, then as many of the payer's as cover the fixed outputs, the fee and a
// change above dust.
util::Result<BuiltTx> Build(const util::Bytes& payload, const std::vector<Slot>& layout, Party* owner, Party& payer,
                            FeePolicy fee) {
  if (payload.size() > 80) return Fail(ErrorCode::TooLarge, "the operation's payload is over 80 bytes");
  if (fee.sat_per_byte < 1 || fee.sat_per_byte > 10000) {
    return Fail(ErrorCode::InvalidArgument, "the fee rate must be 1-10000 satoshis per byte");
  }
  std::vector<std::pair<Utxo, Party*>> inputs;
  if (owner) {
    if (owner->utxos.empty()) {
      return Fail(ErrorCode::InvalidArgument, "the owner's key has no unspent output to sign the operation with");
    }
    inputs.emplace_back(owner->utxos.front(), owner);
  }
  int64_t fixed = 0;
  for (const auto& s : layout) fixed += s.role == Role::Fixed ? s.out.value : 0;
  const int64_t owner_in = owner ? inputs.front().first.value : 0;
  int64_t payer_in = 0;
  int64_t fee_total = 0;
  for (const auto& u : payer.utxos) {
    fee_total = fee.sat_per_byte * EstimateSize(inputs, layout.size() + 1, payload.size());
    if (payer_in >= fixed + fee_total + DUST) break;
    if (owner && u.outpoint == inputs.front().first.outpoint) continue;
    inputs.emplace_back(u, &payer);
    payer_in += u.value;
  }
  fee_total = fee.sat_per_byte * EstimateSize(inputs, layout.size() + 1, payload.size());
  const int64_t payer_change = payer_in - fixed - fee_total;
  if (payer_change < DUST) {
    return Fail(ErrorCode::InvalidArgument,
                "the payer's " + std::to_string(payer.utxos.size()) + " unspent output(s) hold " +
                    std::to_string(payer_in) + " satoshis; the operation needs " + std::to_string(fixed) +
                    " plus a fee of " + std::to_string(fee_total) + " and change above dust");
  }

  bitcoin::Transaction tx;
  for (const auto& [u, who] : inputs) {
    bitcoin::TxIn in;
    in.prevout = u.outpoint;
    tx.inputs.push_back(in);
  }
  BS_TRY(util::Bytes op_return, bitcoin::MakeOpReturnScript(payload));
  tx.outputs.push_back({0, std::move(op_return)});
  std::size_t payer_change_index = 0;
  std::optional<std::size_t> owner_change_index;
  for (const auto& s : layout) {
    switch (s.role) {
      case Role::Fixed: tx.outputs.push_back(s.out); break;
      case Role::OwnerChange:
        owner_change_index = tx.outputs.size();
        tx.outputs.push_back({owner_in, owner->Script()});
        break;
      case Role::PayerChange:
        payer_change_index = tx.outputs.size();
        tx.outputs.push_back({payer_change, payer.Script()});
        break;
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    BS_CHECK_OK(inputs[i].second->spender.Sign(tx, i, inputs[i].first.value));
  }
  BuiltTx out;
  out.raw = bitcoin::SerializeTransaction(tx);
  const util::Hash256 txid = tx.ComputeTxid();
  out.txid = txid.ReversedHex();
  out.change_index = payer_change_index;
  out.change_value = payer_change;
  out.tx = std::move(tx);

  for (const auto& [u, who] : inputs) Drop(who->utxos, u.outpoint);
  payer.utxos.push_back({{txid, static_cast<uint32_t>(payer_change_index)}, payer_change});
  if (owner_change_index) owner->utxos.insert(owner->utxos.begin(), {{txid, static_cast<uint32_t>(*owner_change_index)}, owner_in});
  return out;
}

bool SameKey(const Party& a, const Party* b) { return !b || b == &a || a.Script() == b->Script(); }

}  // namespace

util::Result<BuiltTx> PreorderTx(const util::Bytes& payload, Party& payer, const bitcoin::TxOut& burn, FeePolicy fee) {
  return Build(payload, {PayerChange(), Fixed(burn.value, burn.script_pubkey)}, nullptr, payer, fee);
}

util::Result<BuiltTx> RecipientTx(const util::Bytes& payload, Party& payer, const util::Bytes& recipient_script,
                                  FeePolicy fee) {
  return Build(payload, {Fixed(RECIPIENT_OUTPUT_VALUE, recipient_script), PayerChange()}, nullptr, payer, fee);
}

util::Result<BuiltTx> SenderTx(const util::Bytes& payload, Party& sender, FeePolicy fee) {
  return Build(payload, {PayerChange()}, nullptr, sender, fee);
}

util::Result<BuiltTx> ImportTx(const util::Bytes& payload, Party& importer, const util::Bytes& recipient_script,
                               const util::Hash160& zonefile_hash, FeePolicy fee) {
  return Build(payload,
               {Fixed(RECIPIENT_OUTPUT_VALUE, recipient_script),
                Fixed(RECIPIENT_OUTPUT_VALUE, bitcoin::MakeP2pkhScript(zonefile_hash)), PayerChange()},
               nullptr, importer, fee);
}

util::Result<BuiltTx> RenewTx(const util::Bytes& payload, Party& owner, Party* payer,
                              const util::Bytes& new_owner_script, const bitcoin::TxOut& burn, FeePolicy fee) {
  if (SameKey(owner, payer)) {
    return Build(payload,
                 {Fixed(RECIPIENT_OUTPUT_VALUE, new_owner_script), PayerChange(), Fixed(burn.value, burn.script_pubkey)},
                 nullptr, owner, fee);
  }
  return Build(payload,
               {Fixed(RECIPIENT_OUTPUT_VALUE, new_owner_script), OwnerChange(), Fixed(burn.value, burn.script_pubkey),
                PayerChange()},
               &owner, *payer, fee);
}

util::Result<BuiltTx> OwnerTx(const util::Bytes& payload, Party& owner, Party* payer,
                              const std::optional<util::Bytes>& recipient_script, FeePolicy fee) {
  std::vector<Slot> layout;
  if (recipient_script) layout.push_back(Fixed(RECIPIENT_OUTPUT_VALUE, *recipient_script));
  if (SameKey(owner, payer)) {
    layout.push_back(PayerChange());
    return Build(payload, layout, nullptr, owner, fee);
  }
  layout.push_back(OwnerChange());
  layout.push_back(PayerChange());
  return Build(payload, layout, &owner, *payer, fee);
}

}  // namespace blockstack::client
