// Bitcoin transactions: parsing (legacy and segwit encodings) and serialising.
#pragma once

#include <cstdint>
#include <vector>

#include <util/bytes.h>
#include <util/result.h>
#include <util/serialize.h>

namespace blockstack::bitcoin {

using util::Bytes;
using util::ByteView;
using util::Hash256;

struct OutPoint {
  Hash256 txid;  // internal byte order (reverse of the displayed hex)
  uint32_t index = 0;
  bool IsNull() const { return txid.IsZero() && index == 0xffffffff; }
  bool operator==(const OutPoint&) const = default;
};

struct TxIn {
  OutPoint prevout;
  Bytes script_sig;
  uint32_t sequence = 0xffffffff;
  std::vector<Bytes> witness;
  bool operator==(const TxIn&) const = default;
};

struct TxOut {
  int64_t value = 0;  // satoshis
  Bytes script_pubkey;
  bool operator==(const TxOut&) const = default;
};

struct Transaction {
  int32_t version = 1;
  std::vector<TxIn> inputs;
  std::vector<TxOut> outputs;
  uint32_t lock_time = 0;

  bool HasWitness() const;
  bool IsCoinbase() const { return inputs.size() == 1 && inputs[0].prevout.IsNull(); }
  // Double SHA-256 of the serialisation without witness data.
  Hash256 ComputeTxid() const;
  // Double SHA-256 of the full serialisation (equals the txid without witness).
  Hash256 ComputeWtxid() const;
  bool operator==(const Transaction&) const = default;
};

// Writes the transaction; with_witness=false gives the form the txid is taken of.
void WriteTransaction(util::ByteWriter& w, const Transaction& tx, bool with_witness = true);
Bytes SerializeTransaction(const Transaction& tx, bool with_witness = true);

// Reads one transaction at the reader's position, in either encoding. On success
// *txid (if given) receives its txid, computed from the bytes read. Fails with
// Corruption on truncation, bad counts, an unknown segwit flag or a superfluous
// witness, and with TooLarge on counts no remaining input could hold.
util::Result<Transaction> ReadTransaction(util::ByteReader& r, Hash256* txid = nullptr);
// Parses bytes that must hold exactly one transaction (no trailing data).
util::Result<Transaction> ParseTransaction(ByteView raw, Hash256* txid = nullptr);
util::Result<Transaction> ParseTransactionHex(std::string_view hex, Hash256* txid = nullptr);

}  // namespace blockstack::bitcoin
