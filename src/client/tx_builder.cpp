#include <client/tx_builder.h>

#include <charconv>

#include <bitcoin/address.h>
#include <bitcoin/script.h>
#include <bitcoin/sign.h>
#include <crypto/hash.h>

namespace blockstack::client {

using util::ErrorCode;
using util::Fail;

namespace {

util::Result<int64_t> ParseSats(std::string_view text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0 || v > 2100000000000000LL) {
    return Fail(ErrorCode::InvalidArgument, "'" + std::string(text) + "' is not an amount in satoshis");
  }
  return v;
}

}  // namespace

util::Result<Utxo> ParseUtxo(std::string_view text) {
  auto c1 = text.find(':');
  auto c2 = c1 == std::string_view::npos ? c1 : text.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return Fail(ErrorCode::InvalidArgument, "a UTXO is TXID:VOUT:SATOSHIS");
  Utxo u;
  BS_TRY(u.outpoint.txid, util::Hash256::FromReversedHex(text.substr(0, c1)));
  BS_TRY(int64_t vout, ParseSats(text.substr(c1 + 1, c2 - c1 - 1)));
  if (vout > 0xffffffffLL) return Fail(ErrorCode::InvalidArgument, "UTXO output index too large");
  u.outpoint.index = static_cast<uint32_t>(vout);
  BS_TRY(u.value, ParseSats(text.substr(c2 + 1)));
  return u;
}

util::Result<bitcoin::TxOut> ParseOutput(std::string_view text, const bitcoin::NetworkParams& net) {
  auto last = text.rfind(':');
  if (last == std::string_view::npos) return Fail(ErrorCode::InvalidArgument, "an output is ADDRESS:SATOSHIS");
  BS_TRY(int64_t value, ParseSats(text.substr(last + 1)));
  std::string_view dest = text.substr(0, last);
  if (dest == "burn") {
    return bitcoin::TxOut{value, bitcoin::MakeP2pkhScript(util::Hash160{})};
  }
  if (dest.starts_with("p2pkh:")) {
    BS_TRY(util::Hash160 h, util::Hash160::FromHex(dest.substr(6)));
    return bitcoin::TxOut{value, bitcoin::MakeP2pkhScript(h)};
  }
  BS_TRY(util::Bytes script, bitcoin::ScriptFromAddress(dest, net));
  return bitcoin::TxOut{value, std::move(script)};
}

util::Result<BuiltTx> BuildAndSign(const bitcoin::Spender& spender, const std::vector<Utxo>& utxos,
                                   const TxSpec& spec) {
  if (utxos.empty()) return Fail(ErrorCode::InvalidArgument, "no UTXO to spend");
  const util::Bytes& own = spender.ScriptPubKey();
  bitcoin::Transaction tx;
  int64_t in_value = 0;
  for (const auto& u : utxos) {
    bitcoin::TxIn in;
    in.prevout = u.outpoint;
    tx.inputs.push_back(in);
    in_value += u.value;
  }
  if (spec.op_return) {
    BS_TRY(util::Bytes script, bitcoin::MakeOpReturnScript(*spec.op_return));
    tx.outputs.push_back({0, std::move(script)});
  }
  int64_t out_value = 0;
  for (const auto& o : spec.outputs) {
    tx.outputs.push_back(o);
    out_value += o.value;
  }
  const int64_t change = in_value - out_value - spec.fee;
  if (spec.fee < 0 || change < DUST) {
    return Fail(ErrorCode::InvalidArgument, "inputs of " + std::to_string(in_value) + " satoshis do not cover " +
                                                std::to_string(out_value) + " in outputs, a fee of " +
                                                std::to_string(spec.fee) + " and the change");
  }
  const std::size_t index = spec.change_index.value_or(tx.outputs.size());
  if (index > tx.outputs.size()) return Fail(ErrorCode::InvalidArgument, "change index out of range");
  tx.outputs.insert(tx.outputs.begin() + static_cast<std::ptrdiff_t>(index),
                    bitcoin::TxOut{change, spec.change_script.empty() ? own : spec.change_script});
  for (std::size_t i = 0; i < tx.inputs.size(); ++i) BS_CHECK_OK(spender.Sign(tx, i, utxos[i].value));
  BuiltTx out;
  out.raw = bitcoin::SerializeTransaction(tx);
  out.txid = tx.ComputeTxid().ReversedHex();
  out.change_index = index;
  out.change_value = change;
  out.tx = std::move(tx);
  return out;
}

}  // namespace blockstack::client
