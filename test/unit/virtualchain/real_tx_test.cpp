// Real BNS transactions and blocks from the v1 network's era (test/data/real/
// bns_tx_fixtures.json): the same txid, opcode, payload, outputs and signers,
// including multisig and p2sh-wrapped segwit senders; a block whose merkle root
// does not match its transactions is refused.
#include <virtualchain/filter.h>

#include <gtest/gtest.h>

#include <bitcoin/block.h>
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <crypto/hash.h>

#include "testutil/vectors.h"

namespace blockstack::virtualchain {
namespace {

using nlohmann::json;

const json& Fixtures() {
  static const json f = testutil::LoadVectors("real/bns_tx_fixtures.json");
  return f;
}

// Checks one parsed transaction against the fixture's "expected" parse.
void ExpectParse(const bitcoin::Transaction& tx, const util::Hash256& txid, const json& want) {
  SCOPED_TRACE(want["txid"].get<std::string>());
  EXPECT_EQ(txid.ReversedHex(), want["txid"]);
  auto payload = BlockstackPayload(tx, "id");
  ASSERT_TRUE(payload);
  EXPECT_EQ(std::string(1, static_cast<char>((*payload)[0])), want["opcode"]);
  EXPECT_EQ(util::ToHex(util::ByteView(*payload).subspan(1)), want["data"]);

  ASSERT_EQ(tx.inputs.size(), want["inputs"].size());
  for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
    const json& in = want["inputs"][i];
    EXPECT_EQ(tx.inputs[i].prevout.txid.ReversedHex(), in["tx_ref"][0]);
    EXPECT_EQ(tx.inputs[i].prevout.index, in["tx_ref"][1]);
    auto signers = SignersOf(tx.inputs[i]);
    ASSERT_TRUE(signers) << "input " << i;
    std::vector<std::string> keys;
    for (const auto& k : signers->keys) keys.push_back(util::ToHex(k));
    EXPECT_EQ(keys, in["keys"].get<std::vector<std::string>>());
    EXPECT_EQ(signers->num_required, in["num_required"]);
    EXPECT_EQ(signers->segwit, in["in_type"] == "SegwitP2SH");
    // The output it spends: p2pkh of one key, p2sh of anything else.
    auto type = bitcoin::ClassifyScript(signers->spent_script);
    EXPECT_EQ(type, keys.size() == 1 && !signers->segwit ? bitcoin::ScriptType::P2pkh : bitcoin::ScriptType::P2sh);
    EXPECT_TRUE(SenderOf(signers->spent_script, 0, bitcoin::Network::Mainnet).address);
  }

  // The outputs after the OP_RETURN.
  ASSERT_EQ(tx.outputs.size(), want["outputs"].size() + 1);
  for (std::size_t i = 0; i < want["outputs"].size(); ++i) {
    const json& out = want["outputs"][i];
    const auto& script = tx.outputs[i + 1].script_pubkey;
    EXPECT_EQ(tx.outputs[i + 1].value, out["units"]);
    auto type = bitcoin::ClassifyScript(script);
    EXPECT_EQ(type, out["addrtype"] == "ScriptHash" ? bitcoin::ScriptType::P2sh : bitcoin::ScriptType::P2pkh);
    EXPECT_EQ(bitcoin::ScriptHash160(script)->Hex(), out["hash_or_program"]);
  }
}

TEST(RealTransactionsTest, TheOriginalsParseOfEachTransaction) {
  const auto& cases = testutil::Cases(Fixtures(), "parse_tx_test_2_05");
  int multisig = 0, segwit = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c["comment"].get<std::string>());
    util::Hash256 txid;
    auto tx = bitcoin::ParseTransactionHex(c["txhex"].get<std::string>(), &txid);
    ASSERT_TRUE(tx) << tx.error().message;
    ExpectParse(*tx, txid, c["expected"]);
    for (const auto& in : c["expected"]["inputs"]) {
      multisig += in["keys"].size() > 1;
      segwit += in["in_type"] == "SegwitP2SH";
    }
  }
  EXPECT_GE(multisig, 2);
  EXPECT_GE(segwit, 2);
}

TEST(RealTransactionsTest, OnlyTransactionsWithTheMagicAndAnOpReturnCarryOperations) {
  for (const auto& c : testutil::Cases(Fixtures(), "maybe_burnchain_tx_test_2_05")) {
    SCOPED_TRACE(c["comment"].get<std::string>());
    auto tx = bitcoin::ParseTransactionHex(c["txhex"].get<std::string>());
    ASSERT_TRUE(tx);
    EXPECT_EQ(BlockstackPayload(*tx, "id").has_value(), c["is_burnchain_tx"].get<bool>());
  }
}

TEST(RealTransactionsTest, ACoinbaseHasNoSignersAndABech32RevealStillParsesUnderV1) {
  const auto& cases = testutil::Cases(Fixtures(), "parse_tx_strange_2_05_expect_none");
  ASSERT_EQ(cases.size(), 2u);
  // A NAMESPACE_REVEAL paying a p2wpkh output: Stacks 2.05 voids it, v1 did not;
  // the payload reads and the output is classified.
  auto reveal = bitcoin::ParseTransactionHex(cases[0]["txhex"].get<std::string>());
  ASSERT_TRUE(reveal);
  auto payload = BlockstackPayload(*reveal, "id");
  ASSERT_TRUE(payload);
  EXPECT_EQ((*payload)[0], '&');
  EXPECT_EQ(bitcoin::ClassifyScript(reveal->outputs[1].script_pubkey), bitcoin::ScriptType::P2wpkh);
  // A coinbase: no operation, no signer.
  auto coinbase = bitcoin::ParseTransactionHex(cases[1]["txhex"].get<std::string>());
  ASSERT_TRUE(coinbase);
  EXPECT_FALSE(BlockstackPayload(*coinbase, "id"));
  EXPECT_FALSE(SignersOf(coinbase->inputs[0]));
}

TEST(RealTransactionsTest, BlocksParseAndABadMerkleRootIsRefused) {
  int refused = 0;
  for (const auto& c : testutil::Cases(Fixtures(), "parse_block")) {
    SCOPED_TRACE(c["comment"].get<std::string>());
    auto block = bitcoin::ParseBlockHex(c["block_hex"].get<std::string>());
    ASSERT_TRUE(block) << block.error().message;
    // The header the chain vouches for (header_hex) must commit to these
    // transactions: the bad case's header has another merkle root.
    auto header_bytes = util::FromHex(c["header_hex"].get<std::string>());
    ASSERT_TRUE(header_bytes);
    util::ByteReader reader(*header_bytes);
    auto header = bitcoin::ReadHeader(reader);
    ASSERT_TRUE(header);
    block->header = *header;
    if (c["expected"].is_null()) {
      EXPECT_FALSE(bitcoin::CheckMerkleRoot(*block));
      ++refused;
      continue;
    }
    ASSERT_TRUE(bitcoin::CheckMerkleRoot(*block));
    const json& want = c["expected"];
    EXPECT_EQ(block->header.ComputeHash().ReversedHex(), want["block_hash"]);
    EXPECT_EQ(block->header.prev_hash.ReversedHex(), want["parent_block_hash"]);
    EXPECT_EQ(block->header.time, want["timestamp"]);
    std::size_t found = 0;
    for (std::size_t vtx = 0; vtx < block->txs.size(); ++vtx) {
      if (!BlockstackPayload(block->txs[vtx], "id")) continue;
      ASSERT_LT(found, want["txs"].size());
      const json& t = want["txs"][found++];
      EXPECT_EQ(std::to_string(vtx), t["vtxindex"]);
      auto raw = bitcoin::SerializeTransaction(block->txs[vtx], false);
      ExpectParse(block->txs[vtx], crypto::Sha256d(raw), t);
    }
    EXPECT_EQ(found, want["txs"].size());
  }
  EXPECT_EQ(refused, 1);
}

}  // namespace
}  // namespace blockstack::virtualchain
