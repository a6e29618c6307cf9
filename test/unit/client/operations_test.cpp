// The transaction shapes of the name operations (bns.md §6): output order and
// values, the owner's UTXO as input 0, fees, change, signatures over every input,
// and the parties' UTXO lists carried over to the next transaction.
#include <client/operations.h>

#include <gtest/gtest.h>

#include <bitcoin/script.h>
#include <bitcoin/sign.h>
#include <crypto/hash.h>
#include <net/http_server.h>

namespace blockstack::client {
namespace {

crypto::PrivateKey KeyOf(uint8_t fill) { return *crypto::PrivateKey::FromHex(std::string(64, static_cast<char>('0' + fill))); }

Utxo Coin(uint8_t id, int64_t value) {
  Utxo u;
  util::Bytes raw(32, id);
  u.outpoint.txid = *util::Hash256::FromHex(util::ToHex(raw));
  u.outpoint.index = id;
  u.value = value;
  return u;
}

Party PartyOf(uint8_t fill, std::vector<Utxo> utxos) {
  return Party{bitcoin::Spender::P2pkh(KeyOf(fill)), std::move(utxos)};
}

// scriptSig = <sig+hashtype> <pubkey>; checks it against the input's own sighash.
void ExpectSigned(const bitcoin::Transaction& tx, std::size_t index, const Party& who) {
  const auto& ss = tx.inputs[index].script_sig;
  ASSERT_GT(ss.size(), 2u);
  std::size_t sig_len = ss[0];
  util::Bytes sig(ss.begin() + 1, ss.begin() + 1 + static_cast<std::ptrdiff_t>(sig_len) - 1);  // without hash type
  EXPECT_EQ(ss[sig_len], bitcoin::SIGHASH_ALL);
  std::size_t key_len = ss[1 + sig_len];
  util::Bytes pub(ss.begin() + 2 + static_cast<std::ptrdiff_t>(sig_len), ss.end());
  ASSERT_EQ(pub.size(), key_len);
  EXPECT_EQ(pub, who.spender.FirstKey().GetPublicKey().Serialize());
  auto digest = bitcoin::LegacySignatureHash(tx, index, who.Script(), bitcoin::SIGHASH_ALL);
  ASSERT_TRUE(digest);
  EXPECT_TRUE(who.spender.FirstKey().GetPublicKey().VerifyDer(*digest, sig));
}

int64_t Sum(const bitcoin::Transaction& tx) {
  int64_t s = 0;
  for (const auto& o : tx.outputs) s += o.value;
  return s;
}

const util::Bytes PAYLOAD = {'i', 'd', '?', 1, 2, 3};
const bitcoin::TxOut BURN{100000, bitcoin::MakeP2pkhScript(util::Hash160{})};

TEST(OperationsTest, PreorderIsOpReturnChangeBurn) {
  Party payer = PartyOf(1, {Coin(1, 1000000)});
  auto tx = PreorderTx(PAYLOAD, payer, BURN, {10});
  ASSERT_TRUE(tx) << tx.error().message;
  ASSERT_EQ(tx->tx.outputs.size(), 3u);
  EXPECT_EQ(tx->tx.outputs[0].value, 0);
  auto carried = bitcoin::OpReturnPayload(tx->tx.outputs[0].script_pubkey);
  ASSERT_TRUE(carried);
  EXPECT_EQ(util::Bytes(carried->begin(), carried->end()), PAYLOAD);
  EXPECT_EQ(tx->tx.outputs[1].script_pubkey, payer.Script());
  EXPECT_EQ(tx->tx.outputs[2].value, BURN.value);
  EXPECT_EQ(tx->tx.outputs[2].script_pubkey, BURN.script_pubkey);
  EXPECT_EQ(tx->change_index, 1u);
  const int64_t fee = 1000000 - Sum(tx->tx);
  EXPECT_GT(fee, 10 * 200);
  EXPECT_LT(fee, 10 * 300);
  ExpectSigned(tx->tx, 0, payer);
  // The spent coin is gone and the change is spendable next.
  ASSERT_EQ(payer.utxos.size(), 1u);
  EXPECT_EQ(payer.utxos[0].value, tx->change_value);
  EXPECT_EQ(payer.utxos[0].outpoint.index, 1u);
  EXPECT_EQ(payer.utxos[0].outpoint.txid, tx->tx.ComputeTxid());
  // ... so a registration can follow without the wallet.
  auto reg = RecipientTx(PAYLOAD, payer, payer.Script(), {10});
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->tx.inputs[0].prevout.txid, tx->tx.ComputeTxid());
}

TEST(OperationsTest, RegistrationIsOpReturnRecipientChange) {
  Party payer = PartyOf(1, {Coin(1, 15000), Coin(2, 15000), Coin(3, 15000)});
  Party owner = PartyOf(2, {});
  auto tx = RecipientTx(PAYLOAD, payer, owner.Script(), {50});
  ASSERT_TRUE(tx) << tx.error().message;
  ASSERT_EQ(tx->tx.outputs.size(), 3u);  // fewer than 4: a registration, not a renewal
  EXPECT_EQ(tx->tx.outputs[1].value, RECIPIENT_OUTPUT_VALUE);
  EXPECT_EQ(tx->tx.outputs[1].script_pubkey, owner.Script());
  EXPECT_EQ(tx->tx.outputs[2].script_pubkey, payer.Script());
  // 50 sat/byte needs more than one coin: inputs are added until covered.
  EXPECT_EQ(tx->tx.inputs.size(), 2u);
  for (std::size_t i = 0; i < tx->tx.inputs.size(); ++i) ExpectSigned(tx->tx, i, payer);
  EXPECT_EQ(payer.utxos.size(), 2u);  // one untouched coin and the change
}

TEST(OperationsTest, ImportCarriesTheZonefileHashAsAnOutput) {
  Party importer = PartyOf(3, {Coin(1, 1000000)});
  util::Hash160 zh = crypto::Hash160Of(util::AsBytes(std::string("zone")));
  auto tx = ImportTx(PAYLOAD, importer, PartyOf(4, {}).Script(), zh, {10});
  ASSERT_TRUE(tx);
  ASSERT_EQ(tx->tx.outputs.size(), 4u);
  EXPECT_EQ(tx->tx.outputs[2].script_pubkey, bitcoin::MakeP2pkhScript(zh));
  EXPECT_EQ(tx->tx.outputs[3].script_pubkey, importer.Script());
}

TEST(OperationsTest, OwnerOperationsPutTheOwnersCoinFirstAndReturnIt) {
  Party owner = PartyOf(5, {Coin(7, 5500)});
  Party payer = PartyOf(6, {Coin(8, 1000000)});
  Party recipient = PartyOf(7, {});
  auto tx = OwnerTx(PAYLOAD, owner, &payer, recipient.Script(), {10});
  ASSERT_TRUE(tx) << tx.error().message;
  ASSERT_EQ(tx->tx.inputs.size(), 2u);
  EXPECT_EQ(tx->tx.inputs[0].prevout, Coin(7, 0).outpoint);
  ExpectSigned(tx->tx, 0, owner);
  ExpectSigned(tx->tx, 1, payer);
  ASSERT_EQ(tx->tx.outputs.size(), 4u);  // [OP_RETURN, recipient, owner change, payer change]
  EXPECT_EQ(tx->tx.outputs[1].script_pubkey, recipient.Script());
  EXPECT_EQ(tx->tx.outputs[2].script_pubkey, owner.Script());
  EXPECT_EQ(tx->tx.outputs[2].value, 5500);  // the payer pays the whole fee
  EXPECT_EQ(tx->tx.outputs[3].script_pubkey, payer.Script());
  // The owner keeps a coin to sign the next operation with.
  ASSERT_EQ(owner.utxos.size(), 1u);
  EXPECT_EQ(owner.utxos[0].outpoint.index, 2u);

  // Without a separate payer: [OP_RETURN, change].
  Party alone = PartyOf(5, {Coin(9, 1000000)});
  auto update = OwnerTx(PAYLOAD, alone, nullptr, std::nullopt, {10});
  ASSERT_TRUE(update);
  EXPECT_EQ(update->tx.outputs.size(), 2u);
  // The owner with no coin at all cannot sign.
  Party broke = PartyOf(5, {});
  auto none = OwnerTx(PAYLOAD, broke, &payer, std::nullopt, {10});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no unspent output"), std::string::npos);
}

TEST(OperationsTest, RenewalHasAtLeastFourOutputsWithTheBurnFourth) {
  Party owner = PartyOf(5, {Coin(1, 1000000)});
  auto same = RenewTx(PAYLOAD, owner, nullptr, owner.Script(), BURN, {10});
  ASSERT_TRUE(same);
  ASSERT_EQ(same->tx.outputs.size(), 4u);
  EXPECT_EQ(same->tx.outputs[1].value, RECIPIENT_OUTPUT_VALUE);
  EXPECT_EQ(same->tx.outputs[3].script_pubkey, BURN.script_pubkey);
  Party owner2 = PartyOf(5, {Coin(2, 5500)});
  Party payer = PartyOf(6, {Coin(3, 1000000)});
  auto split = RenewTx(PAYLOAD, owner2, &payer, PartyOf(7, {}).Script(), BURN, {10});
  ASSERT_TRUE(split);
  ASSERT_EQ(split->tx.outputs.size(), 5u);
  EXPECT_EQ(split->tx.outputs[2].script_pubkey, owner2.Script());
  EXPECT_EQ(split->tx.outputs[3].value, BURN.value);
  EXPECT_EQ(split->tx.outputs[4].script_pubkey, payer.Script());
}

TEST(OperationsTest, RefusesWhatCannotBeFunded) {
  Party poor = PartyOf(1, {Coin(1, 100000)});
  auto tx = PreorderTx(PAYLOAD, poor, BURN, {10});
  ASSERT_FALSE(tx);
  EXPECT_EQ(tx.error().code, util::ErrorCode::InvalidArgument);
  EXPECT_EQ(poor.utxos.size(), 1u);  // nothing spent
  Party empty = PartyOf(1, {});
  EXPECT_FALSE(SenderTx(PAYLOAD, empty, {10}));
  Party rich = PartyOf(1, {Coin(1, 100000000)});
  EXPECT_FALSE(SenderTx(util::Bytes(81, 0), rich, {10}));  // payload over 80 bytes
  EXPECT_FALSE(SenderTx(PAYLOAD, rich, {0}));               // no fee
}

TEST(OperationsTest, ABitcoinNodeWithoutAWalletGetsTheWalletRpcHint) {
  // A node that has no listunspent, as bcoin's node port or bitcoind without a wallet.
  auto server = net::HttpServer::Start("127.0.0.1", 0, [](const net::Request&) {
    return net::Response::Json(
        200, {{"result", nullptr}, {"error", {{"code", -32601}, {"message", "Method not found"}}}, {"id", 1}});
  });
  ASSERT_TRUE(server);
  auto rpc = bitcoin::rpc::RpcClient::Create("http://u:p@127.0.0.1:" + std::to_string((*server)->Port()));
  ASSERT_TRUE(rpc);
  auto got = WalletUtxos(**rpc, util::Bytes{0x51}, nullptr);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("give --wallet-rpc"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("listunspent"), std::string::npos) << got.error().message;
}

}  // namespace
}  // namespace blockstack::client
