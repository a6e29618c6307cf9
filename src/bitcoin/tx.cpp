#include <bitcoin/tx.h>

#include <crypto/hash.h>

namespace blockstack::bitcoin {
namespace {

using util::ErrorCode;
using util::Fail;

// The smallest encodings, used to refuse counts that the remaining bytes cannot hold
// before anything is allocated for them.
constexpr std::size_t MIN_TXIN_SIZE = 32 + 4 + 1 + 4;
constexpr std::size_t MIN_TXOUT_SIZE = 8 + 1;

util::Result<uint64_t> ReadCount(util::ByteReader& r, std::size_t min_item_size, const char* what) {
  BS_TRY(uint64_t n, r.CompactSize());
  if (n > r.Remaining() / min_item_size) {
    return Fail(ErrorCode::Corruption, std::string(what) + " count " + std::to_string(n) +
                                           " exceeds what the remaining " + std::to_string(r.Remaining()) +
                                           " bytes can hold");
  }
  return n;
}

util::Status ReadInputs(util::ByteReader& r, uint64_t n, std::vector<TxIn>& inputs) {
  inputs.resize(n);
  for (auto& in : inputs) {
    BS_TRY(in.prevout.txid, r.Fixed<32>());
    BS_TRY(in.prevout.index, r.U32LE());
    BS_TRY(ByteView script, r.VarBytes());
    in.script_sig.assign(script.begin(), script.end());
    BS_TRY(in.sequence, r.U32LE());
  }
  return util::Ok();
}

util::Status ReadOutputs(util::ByteReader& r, std::vector<TxOut>& outputs) {
  BS_TRY(uint64_t n, ReadCount(r, MIN_TXOUT_SIZE, "output"));
  outputs.resize(n);
  for (auto& out : outputs) {
    BS_TRY(out.value, r.I64LE());
    BS_TRY(ByteView script, r.VarBytes());
    out.script_pubkey.assign(script.begin(), script.end());
  }
  return util::Ok();
}

}  // namespace

bool Transaction::HasWitness() const {
  for (const auto& in : inputs) {
    if (!in.witness.empty()) return true;
  }
  return false;
}

void WriteTransaction(util::ByteWriter& w, const Transaction& tx, bool with_witness) {
  const bool witness = with_witness && tx.HasWitness();
  w.I32LE(tx.version);
  if (witness) {
    w.U8(0x00);
    w.U8(0x01);
  }
  w.CompactSize(tx.inputs.size());
  for (const auto& in : tx.inputs) {
    w.Append(in.prevout.txid.view());
    w.U32LE(in.prevout.index);
    w.VarBytes(in.script_sig);
    w.U32LE(in.sequence);
  }
  w.CompactSize(tx.outputs.size());
  for (const auto& out : tx.outputs) {
    w.I64LE(out.value);
    w.VarBytes(out.script_pubkey);
  }
  if (witness) {
    for (const auto& in : tx.inputs) {
      w.CompactSize(in.witness.size());
      for (const auto& item : in.witness) w.VarBytes(item);
    }
  }
  w.U32LE(tx.lock_time);
}

Bytes SerializeTransaction(const Transaction& tx, bool with_witness) {
  util::ByteWriter w;
  WriteTransaction(w, tx, with_witness);
  return std::move(w).Take();
}

Hash256 Transaction::ComputeTxid() const { return crypto::Sha256d(SerializeTransaction(*this, false)); }
Hash256 Transaction::ComputeWtxid() const { return crypto::Sha256d(SerializeTransaction(*this, true)); }

util::Result<Transaction> ReadTransaction(util::ByteReader& r, Hash256* txid) {
  Transaction tx;
  const std::size_t start = r.Position();
  BS_TRY(tx.version, r.I32LE());
  const std::size_t after_version = r.Position();
  std::size_t body_start = after_version;  // first byte of the input count, non-witness form
  bool witness = false;

  BS_TRY(uint64_t n_in, ReadCount(r, MIN_TXIN_SIZE, "input"));
  if (n_in == 0) {
    // Either a segwit marker (0x00) followed by the flag, or a transaction without inputs.
    BS_TRY(uint8_t flag, r.U8());
    if (flag != 0) {
      if (flag != 0x01) return Fail(ErrorCode::Corruption, "unknown segwit flag " + std::to_string(flag));
      witness = true;
      body_start = r.Position();
      BS_TRY(n_in, ReadCount(r, MIN_TXIN_SIZE, "input"));
      BS_CHECK_OK(ReadInputs(r, n_in, tx.inputs));
      BS_CHECK_OK(ReadOutputs(r, tx.outputs));
    }
    // flag == 0: zero inputs and zero outputs (the flag byte was the output count).
  } else {
    BS_CHECK_OK(ReadInputs(r, n_in, tx.inputs));
    BS_CHECK_OK(ReadOutputs(r, tx.outputs));
  }
  const std::size_t body_end = r.Position();
  if (witness) {
    bool any = false;
    for (auto& in : tx.inputs) {
      BS_TRY(uint64_t items, ReadCount(r, 1, "witness item"));
      in.witness.resize(items);
      for (auto& item : in.witness) {
        BS_TRY(ByteView data, r.VarBytes());
        item.assign(data.begin(), data.end());
      }
      any = any || items > 0;
    }
    if (!any) return Fail(ErrorCode::Corruption, "segwit transaction with an empty witness");
  }
  const std::size_t locktime_pos = r.Position();
  BS_TRY(tx.lock_time, r.U32LE());

  if (txid != nullptr) {
    ByteView all = r.Data();
    if (!witness) {
      *txid = crypto::Sha256d(all.subspan(start, r.Position() - start));
    } else {
      crypto::Sha256Hasher h;
      h.Update(all.subspan(start, after_version - start));
      h.Update(all.subspan(body_start, body_end - body_start));
      h.Update(all.subspan(locktime_pos, 4));
      Hash256 first = h.Finish();
      *txid = crypto::Sha256(first.view());
    }
  }
  return tx;
}

util::Result<Transaction> ParseTransaction(ByteView raw, Hash256* txid) {
  util::ByteReader r(raw);
  BS_TRY(Transaction tx, ReadTransaction(r, txid));
  if (!r.AtEnd()) {
    return Fail(ErrorCode::Corruption, std::to_string(r.Remaining()) + " trailing bytes after transaction");
  }
  return tx;
}

util::Result<Transaction> ParseTransactionHex(std::string_view hex, Hash256* txid) {
  BS_TRY(Bytes raw, util::FromHex(hex));
  return ParseTransaction(raw, txid);
}

}  // namespace blockstack::bitcoin
