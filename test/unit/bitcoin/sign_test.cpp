#include <bitcoin/sign.h>

#include <gtest/gtest.h>

#include <bitcoin/script.h>
#include <crypto/hash.h>

#include "testutil/vectors.h"

namespace blockstack::bitcoin {
namespace {

TEST(SignTest, VerifiesSignatureOfRealTransaction) {
  // The blockstack.js fixture spends a p2pkh output; its scriptSig's signature must
  // verify against our legacy sighash of the spent p2pkh script.
  auto v = testutil::LoadVectors("bns/transactions.json")["vectors"][0];
  auto tx = ParseTransactionHex(v["raw_tx_hex"].get<std::string>());
  ASSERT_TRUE(tx);
  auto tokens = TokenizeScript(tx->inputs[0].script_sig);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 2u);
  util::Bytes sig((*tokens)[0].data.begin(), (*tokens)[0].data.end());
  auto pub = crypto::PublicKey::Parse((*tokens)[1].data);
  ASSERT_TRUE(pub);
  uint8_t hash_type = sig.back();
  sig.pop_back();
  auto prev_script = MakeP2pkhScript(crypto::Hash160Of(pub->Serialize()));
  auto digest = LegacySignatureHash(*tx, 0, prev_script, hash_type);
  ASSERT_TRUE(digest);
  EXPECT_TRUE(pub->VerifyDer(*digest, sig));
}

TEST(SignTest, SignP2pkhInputProducesVerifiableScriptSig) {
  auto key = crypto::PrivateKey::Generate();
  auto prev_script = MakeP2pkhScript(crypto::Hash160Of(key.GetPublicKey().Serialize()));
  Transaction tx;
  TxIn in;
  in.prevout.txid[3] = 9;
  tx.inputs.push_back(in);
  tx.outputs.push_back({0, *MakeOpReturnScript(util::AsBytes("id?hello"))});
  tx.outputs.push_back({4000, prev_script});
  ASSERT_TRUE(SignP2pkhInput(tx, 0, prev_script, key));
  auto tokens = TokenizeScript(tx.inputs[0].script_sig);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 2u);
  util::Bytes sig((*tokens)[0].data.begin(), (*tokens)[0].data.end());
  EXPECT_EQ(sig.back(), SIGHASH_ALL);
  sig.pop_back();
  auto digest = LegacySignatureHash(tx, 0, prev_script, SIGHASH_ALL);
  EXPECT_TRUE(key.GetPublicKey().VerifyDer(*digest, sig, crypto::SPolicy::RequireLowS));
  // Changing an output invalidates the signature.
  tx.outputs[1].value = 3999;
  auto digest2 = LegacySignatureHash(tx, 0, prev_script, SIGHASH_ALL);
  EXPECT_FALSE(key.GetPublicKey().VerifyDer(*digest2, sig));
}

TEST(SignTest, RefusesWrongKeyAndBadIndex) {
  auto key = crypto::PrivateKey::Generate();
  auto other = crypto::PrivateKey::Generate();
  auto prev_script = MakeP2pkhScript(crypto::Hash160Of(other.GetPublicKey().Serialize()));
  Transaction tx;
  tx.inputs.emplace_back();
  EXPECT_FALSE(SignP2pkhInput(tx, 0, prev_script, key));
  EXPECT_FALSE(LegacySignatureHash(tx, 1, prev_script, SIGHASH_ALL));
}

TEST(SignTest, SighashSingleWithoutOutputIsOne) {
  Transaction tx;
  tx.inputs.resize(2);
  tx.outputs.resize(1);
  auto d = LegacySignatureHash(tx, 1, {}, SIGHASH_SINGLE);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0], 1);
}

}  // namespace
}  // namespace blockstack::bitcoin
