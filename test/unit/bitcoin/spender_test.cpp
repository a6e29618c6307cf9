// Multisig and segwit spenders: script shapes, BIP143 signature hashes, and
// signatures that verify against the hash each input commits to. bcoin accepting
// them and bitcoinjs-lib signing the same bytes is in test/functional/multisig.test.mjs.
#include <bitcoin/spender.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>
#include <bitcoin/script.h>
#include <bitcoin/sign.h>
#include <crypto/hash.h>

namespace blockstack::bitcoin {
namespace {

crypto::PrivateKey KeyOf(char fill) { return *crypto::PrivateKey::FromHex(std::string(64, fill)); }

// BIP143's P2SH-P2WPKH example: the signature hash of input 0.
TEST(SpenderTest, SegwitSignatureHashMatchesBip143) {
  auto raw = util::FromHex(
      "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feffffff02b8b4eb0b00000000"
      "1976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6"
      "d77c88ac92040000");
  ASSERT_TRUE(raw);
  auto tx = ParseTransaction(*raw);
  ASSERT_TRUE(tx) << tx.error().message;
  auto code = util::FromHex("76a91479091972186c449eb1ded22b78e40d009bdf008988ac");
  auto digest = SegwitV0SignatureHash(*tx, 0, *code, 1000000000, SIGHASH_ALL);
  ASSERT_TRUE(digest);
  EXPECT_EQ(util::ToHex(digest->view()), "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6");
  EXPECT_FALSE(SegwitV0SignatureHash(*tx, 1, *code, 1, SIGHASH_ALL));
}

Transaction Spending(const Spender& s, int inputs) {
  Transaction tx;
  for (int i = 0; i < inputs; ++i) {
    TxIn in;
    in.prevout.txid.data.fill(static_cast<uint8_t>(i + 1));
    in.prevout.index = static_cast<uint32_t>(i);
    tx.inputs.push_back(in);
  }
  tx.outputs.push_back({50000, s.ScriptPubKey()});
  return tx;
}

TEST(SpenderTest, MultisigSignsWithTheFirstMKeysInScriptOrder) {
  auto s = Spender::P2shMultisig(2, {KeyOf('1'), KeyOf('2'), KeyOf('3')});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->Describe(), "p2sh-multisig 2-of-3");
  EXPECT_EQ(ClassifyScript(s->ScriptPubKey()), ScriptType::P2sh);
  EXPECT_EQ(*ScriptHash160(s->ScriptPubKey()), crypto::Hash160Of(s->RedeemScript()));
  auto redeem = TokenizeScript(s->RedeemScript());
  ASSERT_TRUE(redeem);
  ASSERT_EQ(redeem->size(), 6u);
  EXPECT_EQ((*redeem)[0].opcode, OP_1 + 1);
  EXPECT_EQ((*redeem)[4].opcode, OP_1 + 2);
  EXPECT_EQ((*redeem)[5].opcode, 0xae);

  Transaction tx = Spending(*s, 2);
  ASSERT_TRUE(s->Sign(tx, 1, 70000));
  auto tokens = TokenizeScript(tx.inputs[1].script_sig);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 4u);  // OP_0 sig1 sig2 redeem
  EXPECT_EQ((*tokens)[0].opcode, OP_0);
  EXPECT_TRUE(std::equal((*tokens)[3].data.begin(), (*tokens)[3].data.end(), s->RedeemScript().begin(),
                         s->RedeemScript().end()));
  auto digest = LegacySignatureHash(tx, 1, s->RedeemScript(), SIGHASH_ALL);
  for (int i = 0; i < 2; ++i) {
    util::Bytes sig((*tokens)[1 + i].data.begin(), (*tokens)[1 + i].data.end());
    ASSERT_EQ(sig.back(), SIGHASH_ALL);
    sig.pop_back();
    EXPECT_TRUE(KeyOf(static_cast<char>('1' + i)).GetPublicKey().VerifyDer(*digest, sig, crypto::SPolicy::RequireLowS));
  }
  EXPECT_TRUE(tx.inputs[1].witness.empty());
  EXPECT_GE(s->InputVsize(), tx.inputs[1].script_sig.size() + 41);
}

TEST(SpenderTest, P2shP2wpkhPutsTheSignatureInTheWitness) {
  Spender s = Spender::P2shP2wpkh(KeyOf('4'));
  const auto pub = KeyOf('4').GetPublicKey().Serialize(true);
  util::Bytes redeem{OP_0, 20};
  auto h = crypto::Hash160Of(pub);
  redeem.insert(redeem.end(), h.begin(), h.end());
  EXPECT_EQ(s.RedeemScript(), redeem);
  Transaction tx = Spending(s, 1);
  ASSERT_TRUE(s.Sign(tx, 0, 123456));
  util::Bytes expected_sig{static_cast<uint8_t>(redeem.size())};
  expected_sig.insert(expected_sig.end(), redeem.begin(), redeem.end());
  EXPECT_EQ(tx.inputs[0].script_sig, expected_sig);
  ASSERT_EQ(tx.inputs[0].witness.size(), 2u);
  EXPECT_EQ(tx.inputs[0].witness[1], pub);
  auto digest = SegwitV0SignatureHash(tx, 0, MakeP2pkhScript(h), 123456, SIGHASH_ALL);
  util::Bytes sig = tx.inputs[0].witness[0];
  sig.pop_back();
  EXPECT_TRUE(KeyOf('4').GetPublicKey().VerifyDer(*digest, sig));
  // The amount is committed to.
  auto other = SegwitV0SignatureHash(tx, 0, MakeP2pkhScript(h), 123457, SIGHASH_ALL);
  EXPECT_FALSE(KeyOf('4').GetPublicKey().VerifyDer(*other, sig));
  // The txid leaves the witness out; the serialisation has it.
  EXPECT_TRUE(tx.HasWitness());
  EXPECT_NE(SerializeTransaction(tx, true), SerializeTransaction(tx, false));
}

TEST(SpenderTest, P2shP2wshMultisig) {
  auto s = Spender::P2shP2wshMultisig(2, {KeyOf('5'), KeyOf('6'), KeyOf('7')});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->RedeemScript().size(), 34u);
  EXPECT_EQ(s->RedeemScript()[0], OP_0);
  Transaction tx = Spending(*s, 1);
  ASSERT_TRUE(s->Sign(tx, 0, 99999));
  const auto& w = tx.inputs[0].witness;
  ASSERT_EQ(w.size(), 4u);  // empty, sig, sig, witness script
  EXPECT_TRUE(w[0].empty());
  EXPECT_EQ(w[3], s->WitnessScript());
  auto digest = SegwitV0SignatureHash(tx, 0, s->WitnessScript(), 99999, SIGHASH_ALL);
  util::Bytes sig = w[2];
  sig.pop_back();
  EXPECT_TRUE(KeyOf('6').GetPublicKey().VerifyDer(*digest, sig));
}

TEST(SpenderTest, BadMultisigShapesAreRefused) {
  EXPECT_FALSE(Spender::P2shMultisig(0, {KeyOf('1')}));
  EXPECT_FALSE(Spender::P2shMultisig(3, {KeyOf('1'), KeyOf('2')}));
  std::vector<crypto::PrivateKey> sixteen(16, KeyOf('1'));
  EXPECT_FALSE(Spender::P2shMultisig(2, sixteen));
  EXPECT_FALSE(Spender::P2shP2wshMultisig(4, {KeyOf('1')}));
  auto s = Spender::P2shMultisig(1, {KeyOf('1')});
  Transaction tx = Spending(*s, 1);
  EXPECT_FALSE(s->Sign(tx, 1, 1));
}

}  // namespace
}  // namespace blockstack::bitcoin
