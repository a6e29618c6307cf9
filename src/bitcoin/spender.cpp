#include <bitcoin/spender.h>

#include <fmt/core.h>

#include <bitcoin/script.h>
#include <bitcoin/sign.h>
#include <crypto/hash.h>
#include <util/serialize.h>
#include <util/text.h>

namespace blockstack::bitcoin {
namespace {

using util::ErrorCode;
using util::Fail;

constexpr unsigned MAX_MULTISIG_KEYS = 15;
constexpr std::size_t SIGNATURE_PUSH = 1 + 71 + 1;   // push, low-S DER signature, hash type
constexpr std::size_t INPUT_FIXED = 32 + 4 + 4 + 1;  // outpoint, sequence, script length

Bytes SignWithHashType(const crypto::PrivateKey& key, const Hash256& digest) {
  Bytes sig = key.SignDer(digest);
  sig.push_back(SIGHASH_ALL);
  return sig;
}

std::vector<crypto::PublicKey> PublicKeys(const std::vector<crypto::PrivateKey>& keys) {
  std::vector<crypto::PublicKey> out;
  for (const auto& k : keys) out.push_back(k.GetPublicKey());
  return out;
}

Bytes PushOnly(ByteView data) {
  Bytes out;
  AppendPush(out, data);
  return out;
}

// BIP143's hashPrevouts, hashSequence and hashOutputs.
enum class Part { Prevouts, Sequences, Outputs };
Hash256 HashOfAll(const Transaction& tx, Part part) {
  util::ByteWriter w;
  if (part == Part::Outputs) {
    for (const auto& out : tx.outputs) {
      w.I64LE(out.value);
      w.VarBytes(out.script_pubkey);
    }
  } else {
    for (const auto& in : tx.inputs) {
      if (part == Part::Prevouts) {
        w.Append(in.prevout.txid.view());
        w.U32LE(in.prevout.index);
      } else {
        w.U32LE(in.sequence);
      }
    }
  }
  return crypto::Sha256d(w.Data());
}

}  // namespace

util::Result<Hash256> SegwitV0SignatureHash(const Transaction& tx, std::size_t index, ByteView script_code,
                                            int64_t amount, uint32_t hash_type) {
  if (index >= tx.inputs.size()) {
    return Fail(ErrorCode::InvalidArgument, "input index " + std::to_string(index) + " out of range");
  }
  const uint8_t base = hash_type & 0x1f;
  const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
  Hash256 prevouts, sequences, outputs;
  if (!anyone_can_pay) prevouts = HashOfAll(tx, Part::Prevouts);
  if (!anyone_can_pay && base != SIGHASH_SINGLE && base != SIGHASH_NONE) sequences = HashOfAll(tx, Part::Sequences);
  if (base != SIGHASH_SINGLE && base != SIGHASH_NONE) {
    outputs = HashOfAll(tx, Part::Outputs);
  } else if (base == SIGHASH_SINGLE && index < tx.outputs.size()) {
    util::ByteWriter w;
    w.I64LE(tx.outputs[index].value);
    w.VarBytes(tx.outputs[index].script_pubkey);
    outputs = crypto::Sha256d(w.Data());
  }
  const TxIn& in = tx.inputs[index];
  util::ByteWriter w;
  w.I32LE(tx.version);
  w.Append(prevouts.view());
  w.Append(sequences.view());
  w.Append(in.prevout.txid.view());
  w.U32LE(in.prevout.index);
  w.VarBytes(script_code);
  w.I64LE(amount);
  w.U32LE(in.sequence);
  w.Append(outputs.view());
  w.U32LE(tx.lock_time);
  w.U32LE(hash_type);
  return crypto::Sha256d(w.Data());
}

util::Result<Bytes> MakeMultisigScript(unsigned m, const std::vector<crypto::PublicKey>& keys) {
  if (m < 1 || m > keys.size() || keys.size() > MAX_MULTISIG_KEYS) {
    return Fail(ErrorCode::InvalidArgument, fmt::format("an m-of-n multisig needs 1 <= m <= n <= {}; this is {}-of-{}",
                                                        MAX_MULTISIG_KEYS, m, keys.size()));
  }
  Bytes script{static_cast<uint8_t>(OP_1 + m - 1)};
  for (const auto& k : keys) AppendPush(script, k.Serialize());
  script.push_back(static_cast<uint8_t>(OP_1 + keys.size() - 1));
  script.push_back(0xae);  // OP_CHECKMULTISIG
  return script;
}

Spender Spender::P2pkh(const crypto::PrivateKey& key) {
  Spender s(Kind::P2pkh, {key}, 1);
  s.m_script_pubkey = MakeP2pkhScript(crypto::Hash160Of(key.GetPublicKey().Serialize()));
  return s;
}

util::Result<Spender> Spender::P2shMultisig(unsigned m, const std::vector<crypto::PrivateKey>& keys) {
  Spender s(Kind::P2shMultisig, keys, m);
  BS_TRY(s.m_redeem, MakeMultisigScript(m, PublicKeys(keys)));
  s.m_script_pubkey = MakeP2shScript(crypto::Hash160Of(s.m_redeem));
  return s;
}

Spender Spender::P2shP2wpkh(const crypto::PrivateKey& key) {
  // Segwit keys are compressed (BIP143's standardness rule).
  auto compressed = crypto::PrivateKey::FromBytes(util::ByteView(key.Secret().data(), 32));
  Spender s(Kind::P2shP2wpkh, {*compressed}, 1);
  s.m_redeem = {OP_0};
  AppendPush(s.m_redeem, crypto::Hash160Of(compressed->GetPublicKey().Serialize(true)).view());
  s.m_script_pubkey = MakeP2shScript(crypto::Hash160Of(s.m_redeem));
  return s;
}

util::Result<Spender> Spender::P2shP2wshMultisig(unsigned m, const std::vector<crypto::PrivateKey>& keys) {
  std::vector<crypto::PrivateKey> compressed;
  for (const auto& k : keys)
    compressed.push_back(*crypto::PrivateKey::FromBytes(util::ByteView(k.Secret().data(), 32)));
  Spender s(Kind::P2shP2wshMultisig, compressed, m);
  BS_TRY(s.m_witness_script, MakeMultisigScript(m, PublicKeys(compressed)));
  s.m_redeem = {OP_0};
  AppendPush(s.m_redeem, crypto::Sha256(s.m_witness_script).view());
  s.m_script_pubkey = MakeP2shScript(crypto::Hash160Of(s.m_redeem));
  return s;
}

std::string Spender::Describe() const {
  switch (m_kind) {
    case Kind::P2pkh:
      return "p2pkh";
    case Kind::P2shMultisig:
      return fmt::format("p2sh-multisig {}-of-{}", m_m, m_keys.size());
    case Kind::P2shP2wpkh:
      return "p2sh-p2wpkh";
    case Kind::P2shP2wshMultisig:
      return fmt::format("p2sh-p2wsh-multisig {}-of-{}", m_m, m_keys.size());
  }
  return "?";
}

std::size_t Spender::InputVsize() const {
  const std::size_t n = m_keys.size();
  switch (m_kind) {
    case Kind::P2pkh:
      return INPUT_FIXED + SIGNATURE_PUSH + 1 + m_keys.front().GetPublicKey().Serialize().size();
    case Kind::P2shMultisig:
      return INPUT_FIXED + 2 + 1 + m_m * SIGNATURE_PUSH + 3 + m_redeem.size();
    case Kind::P2shP2wpkh: {
      std::size_t witness = 1 + SIGNATURE_PUSH + 1 + 33;
      return INPUT_FIXED + 1 + m_redeem.size() + (witness + 3) / 4 + 1;
    }
    case Kind::P2shP2wshMultisig: {
      std::size_t witness = 1 + 1 + m_m * SIGNATURE_PUSH + 3 + 34 * n + 3;
      return INPUT_FIXED + 1 + m_redeem.size() + (witness + 3) / 4 + 1;
    }
  }
  return 0;
}

util::Status Spender::Sign(Transaction& tx, std::size_t index, int64_t amount) const {
  if (index >= tx.inputs.size()) return Fail(ErrorCode::InvalidArgument, "input index out of range");
  TxIn& in = tx.inputs[index];
  switch (m_kind) {
    case Kind::P2pkh:
      return SignP2pkhInput(tx, index, m_script_pubkey, m_keys.front());
    case Kind::P2shMultisig: {
      BS_TRY(Hash256 digest, LegacySignatureHash(tx, index, m_redeem, SIGHASH_ALL));
      Bytes script_sig{OP_0};  // CHECKMULTISIG pops one item too many
      for (unsigned i = 0; i < m_m; ++i) AppendPush(script_sig, SignWithHashType(m_keys[i], digest));
      AppendPush(script_sig, m_redeem);
      in.script_sig = std::move(script_sig);
      in.witness.clear();
      return util::Ok();
    }
    case Kind::P2shP2wpkh: {
      const auto& key = m_keys.front();
      Bytes script_code = MakeP2pkhScript(crypto::Hash160Of(key.GetPublicKey().Serialize(true)));
      BS_TRY(Hash256 digest, SegwitV0SignatureHash(tx, index, script_code, amount, SIGHASH_ALL));
      in.script_sig = PushOnly(m_redeem);
      in.witness = {SignWithHashType(key, digest), key.GetPublicKey().Serialize(true)};
      return util::Ok();
    }
    case Kind::P2shP2wshMultisig: {
      BS_TRY(Hash256 digest, SegwitV0SignatureHash(tx, index, m_witness_script, amount, SIGHASH_ALL));
      in.script_sig = PushOnly(m_redeem);
      in.witness = {Bytes{}};
      for (unsigned i = 0; i < m_m; ++i) in.witness.push_back(SignWithHashType(m_keys[i], digest));
      in.witness.push_back(m_witness_script);
      return util::Ok();
    }
  }
  return Fail(ErrorCode::InvalidArgument, "unknown spender kind");
}

util::Result<Spender> ParseSpenderSpec(
    std::string_view spec, const std::function<util::Result<crypto::PrivateKey>(const std::string&)>& resolve) {
  const bool segwit = spec.starts_with("segwit:p2sh:");
  std::string_view body = segwit ? spec.substr(12) : spec;
  auto comma = body.find(',');
  const bool multi = segwit || (comma != std::string_view::npos && util::ParseDecimal(body.substr(0, comma), 1000, 4));
  if (!multi) {
    BS_TRY(auto key, resolve(std::string(spec)));
    return Spender::P2pkh(key);
  }
  auto parts = util::SplitList(body, ',');
  auto m = parts.empty() ? std::nullopt : util::ParseDecimal(parts[0], 1000, 4);
  if (!m || *m == 0) {
    return util::Fail(util::ErrorCode::InvalidArgument,
                      "a multisig key is M,KEY1,...,KEYn (or segwit:p2sh:M,KEY1,...) with M at least 1");
  }
  std::vector<crypto::PrivateKey> keys;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto key = resolve(std::string(parts[i]));
    if (!key)
      return util::Fail(key.error().code, "key " + std::to_string(i) + " of the multisig: " + key.error().message);
    keys.push_back(*key);
  }
  if (keys.size() < *m) {
    return util::Fail(util::ErrorCode::InvalidArgument,
                      fmt::format("a {}-of-n multisig needs at least {} keys; {} given", *m, *m, keys.size()));
  }
  const auto required = static_cast<unsigned>(*m);
  if (segwit) {
    if (required == 1 && keys.size() == 1) return Spender::P2shP2wpkh(keys.front());
    return Spender::P2shP2wshMultisig(required, keys);
  }
  return Spender::P2shMultisig(required, keys);
}

}  // namespace blockstack::bitcoin
