// Building and signing transactions that spend the outputs of one spender (a
// p2pkh key, a p2sh multisig, or p2sh-wrapped segwit): the shapes every name
// operation needs (bns.md §6, "client transaction shapes").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <bitcoin/network.h>
#include <bitcoin/spender.h>
#include <bitcoin/tx.h>
#include <crypto/keys.h>

namespace blockstack::client {

inline constexpr int64_t DUST = 546;

struct Utxo {
  bitcoin::OutPoint outpoint;
  int64_t value = 0;
};

struct TxSpec {
  std::optional<util::Bytes> op_return;      // becomes output 0
  std::vector<bitcoin::TxOut> outputs;       // after the OP_RETURN, in order
  std::optional<std::size_t> change_index;   // where the change goes among all outputs; default last
  util::Bytes change_script;                 // default: the spender's own script
  int64_t fee = 10000;                       // satoshis
};

struct BuiltTx {
  bitcoin::Transaction tx;
  std::string txid;            // display hex
  util::Bytes raw;
  std::size_t change_index = 0;
  int64_t change_value = 0;
};

// Spends every given UTXO (all must pay the spender's script), pays the outputs
// and the fee, returns the rest as change, and signs. Fails with InvalidArgument
// when the inputs do not cover outputs + fee + a change above dust, or the change
// index is out of range.
util::Result<BuiltTx> BuildAndSign(const bitcoin::Spender& spender, const std::vector<Utxo>& utxos, const TxSpec& spec);

// "TXID:VOUT:SATOSHIS"
util::Result<Utxo> ParseUtxo(std::string_view text);

// An output written as ADDRESS:SATS, burn:SATS (the network's burn address) or
// p2pkh:HASH160HEX:SATS.
util::Result<bitcoin::TxOut> ParseOutput(std::string_view text, const bitcoin::NetworkParams& net);

}  // namespace blockstack::client
