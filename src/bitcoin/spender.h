// Who can spend an output, and how: the four script kinds the original CLI could
// own names and pay with (p2pkh; m-of-n p2sh multisig; p2sh-wrapped p2wpkh; and
// p2sh-wrapped p2wsh multisig), their output script, an input's size for fees,
// and signing an input (legacy or BIP143 signature hash, SIGHASH_ALL).
#pragma once

#include <functional>

#include <cstdint>
#include <vector>

#include <bitcoin/tx.h>
#include <crypto/keys.h>

namespace blockstack::bitcoin {

// The BIP143 (segwit version 0) signature hash of input `index`, which spends
// `amount` satoshis, signing with `script_code`. Fails with InvalidArgument on a bad index.
util::Result<Hash256> SegwitV0SignatureHash(const Transaction& tx, std::size_t index, ByteView script_code,
                                            int64_t amount, uint32_t hash_type);

// OP_m <key>... OP_n OP_CHECKMULTISIG. Fails with InvalidArgument unless
// 1 <= m <= n <= 15 (the most a 520-byte p2sh redeem script holds).
util::Result<Bytes> MakeMultisigScript(unsigned m, const std::vector<crypto::PublicKey>& keys);

class Spender {
 public:
  enum class Kind { P2pkh, P2shMultisig, P2shP2wpkh, P2shP2wshMultisig };

  static Spender P2pkh(const crypto::PrivateKey& key);
  // m of the keys sign (the first m); all n public keys are in the script, in order.
  static util::Result<Spender> P2shMultisig(unsigned m, const std::vector<crypto::PrivateKey>& keys);
  static Spender P2shP2wpkh(const crypto::PrivateKey& key);
  static util::Result<Spender> P2shP2wshMultisig(unsigned m, const std::vector<crypto::PrivateKey>& keys);

  Kind GetKind() const { return m_kind; }
  bool IsSegwit() const { return m_kind == Kind::P2shP2wpkh || m_kind == Kind::P2shP2wshMultisig; }
  const Bytes& ScriptPubKey() const { return m_script_pubkey; }
  // The p2sh redeem script (empty for p2pkh) and, for p2wsh, the witness script.
  const Bytes& RedeemScript() const { return m_redeem; }
  const Bytes& WitnessScript() const { return m_witness_script; }
  unsigned Required() const { return m_m; }
  std::size_t KeyCount() const { return m_keys.size(); }
  const crypto::PrivateKey& FirstKey() const { return m_keys.front(); }
  // "p2pkh", "p2sh-multisig 2-of-3", "p2sh-p2wpkh", "p2sh-p2wsh-multisig 2-of-3".
  std::string Describe() const;

  // The most virtual bytes one input spending this output takes (low-S DER
  // signatures of at most 71 bytes plus the hash type), for fee estimates.
  std::size_t InputVsize() const;

  // Signs input `index` of tx, which spends `amount` satoshis of an output paying
  // ScriptPubKey(): sets its scriptSig and witness. Signatures commit to every
  // input and output, so inputs are signed after the transaction is complete.
  util::Status Sign(Transaction& tx, std::size_t index, int64_t amount) const;

 private:
  Spender(Kind kind, std::vector<crypto::PrivateKey> keys, unsigned m)
      : m_kind(kind), m_keys(std::move(keys)), m_m(m) {}
  Kind m_kind;
  std::vector<crypto::PrivateKey> m_keys;
  unsigned m_m = 1;
  Bytes m_script_pubkey, m_redeem, m_witness_script;
};

// A spender from the original CLI's key syntax: "M,KEY1,...,KEYn" (p2sh
// multisig), "segwit:p2sh:M,KEY1,..." (p2sh-p2wsh multisig; p2sh-p2wpkh for
// "segwit:p2sh:1,KEY"), or one key (p2pkh). Each KEY is read by resolve (WIF, hex,
// or whatever the caller takes). Fails with InvalidArgument naming the part.
util::Result<Spender> ParseSpenderSpec(
    std::string_view spec, const std::function<util::Result<crypto::PrivateKey>(const std::string&)>& resolve);

}  // namespace blockstack::bitcoin
