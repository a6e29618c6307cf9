#include <bitcoin/sign.h>

#include <bitcoin/script.h>
#include <crypto/hash.h>

namespace blockstack::bitcoin {

util::Result<Hash256> LegacySignatureHash(const Transaction& tx, std::size_t index, ByteView script_code,
                                          uint32_t hash_type) {
  if (index >= tx.inputs.size()) {
    return util::Fail(util::ErrorCode::InvalidArgument, "input index " + std::to_string(index) + " out of range");
  }
  const uint8_t base = hash_type & 0x1f;
  const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
  if (base == SIGHASH_SINGLE && index >= tx.outputs.size()) {
    Hash256 one;
    one[0] = 1;
    return one;
  }
  Transaction copy;
  copy.version = tx.version;
  copy.lock_time = tx.lock_time;
  for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
    if (anyone_can_pay && i != index) continue;
    TxIn in;
    in.prevout = tx.inputs[i].prevout;
    in.sequence = tx.inputs[i].sequence;
    if (i == index) {
      in.script_sig.assign(script_code.begin(), script_code.end());
    } else if (base == SIGHASH_NONE || base == SIGHASH_SINGLE) {
      in.sequence = 0;
    }
    copy.inputs.push_back(std::move(in));
  }
  if (base == SIGHASH_NONE) {
    // no outputs
  } else if (base == SIGHASH_SINGLE) {
    copy.outputs.resize(index + 1);
    for (std::size_t i = 0; i < index; ++i) {
      copy.outputs[i].value = -1;
      copy.outputs[i].script_pubkey.clear();
    }
    copy.outputs[index] = tx.outputs[index];
  } else {
    copy.outputs = tx.outputs;
  }
  util::ByteWriter w;
  WriteTransaction(w, copy, false);
  w.U32LE(hash_type);
  return crypto::Sha256d(w.Data());
}

util::Status SignP2pkhInput(Transaction& tx, std::size_t index, ByteView prev_script, const crypto::PrivateKey& key) {
  auto pub = key.GetPublicKey();
  auto expected = ScriptHash160(prev_script);
  if (ClassifyScript(prev_script) != ScriptType::P2pkh || !expected ||
      *expected != crypto::Hash160Of(pub.Serialize())) {
    return util::Fail(util::ErrorCode::InvalidArgument, "key does not match the p2pkh output being spent");
  }
  BS_TRY(Hash256 digest, LegacySignatureHash(tx, index, prev_script, SIGHASH_ALL));
  Bytes sig = key.SignDer(digest);
  sig.push_back(SIGHASH_ALL);
  Bytes script_sig;
  AppendPush(script_sig, sig);
  AppendPush(script_sig, pub.Serialize());
  tx.inputs[index].script_sig = std::move(script_sig);
  return util::Ok();
}

}  // namespace blockstack::bitcoin
