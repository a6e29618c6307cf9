#include <virtualchain/consensus.h>

#include <gtest/gtest.h>

#include <clocale>

#include <crypto/hash.h>
#include <virtualchain/canonical.h>

#include "testutil/vectors.h"

namespace blockstack::virtualchain {
namespace {

TEST(ConsensusTest, Vectors) {
  auto v = testutil::LoadVectors("bns/consensus.json");
  for (const auto& c : testutil::Cases(v, "vectors")) {
    std::vector<std::string> ops = c["serialized_ops"];
    std::vector<std::string> prev = c["prev_consensus_hashes"];
    std::string ops_hash = OpsHash(ops);
    EXPECT_EQ(ops_hash, c["ops_hash"]);
    EXPECT_EQ(ConsensusHash(prev, ops_hash), c["consensus_hash"]);
  }
}

TEST(ConsensusTest, SerializeExample) {
  auto ex = testutil::LoadVectors("bns/consensus.json")["serialize_example"];
  std::vector<Value> values;
  for (const auto& field : testutil::Cases(ex, "fields")) {
    const auto& j = ex["op_dict"][field.get<std::string>()];
    if (j.is_null()) values.emplace_back(None{});
    else if (j.is_number_integer()) values.emplace_back(j.get<int64_t>());
    else values.emplace_back(j.get<std::string>());
  }
  std::string s = SerializeOp('?', values);
  EXPECT_EQ(s, ex["serialized"]);
  EXPECT_EQ(crypto::Sha256d(util::AsBytes(s)).Hex(), ex["record_hash_dsha256_hex"]);
}

TEST(ConsensusTest, Py2Values) {
  EXPECT_EQ(Py2Str(None{}), "");
  EXPECT_EQ(Py2Str(true), "True");
  EXPECT_EQ(Py2Str(false), "False");
  EXPECT_EQ(Py2Str(int64_t{-5}), "-5");
  EXPECT_EQ(Py2FloatStr(100000.0), "100000.0");
  EXPECT_EQ(Py2FloatStr(1e16), "1e+16");
  EXPECT_EQ(Py2FloatStr(0.1), "0.1");
  EXPECT_EQ(Py2FloatStr(1024000.0 * 0.1), "102400.0");
  EXPECT_EQ(Py2FloatStr(123456789012345.0), "1.23456789012e+14");
  EXPECT_EQ(Py2FloatStr(0.0), "0.0");
  EXPECT_EQ(Py2Str(std::vector<int64_t>{6, 5, 4}), "[6, 5, 4]");
  EXPECT_EQ(Py2Str(std::vector<int64_t>{}), "[]");
}

TEST(ConsensusTest, FloatsAreWrittenTheSameInAnyLocale) {
  // The ops hash must not depend on the process's locale: try one that writes a
  // decimal comma (where the machine has one), then restore "C".
  const char* tried = nullptr;
  for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "C.UTF-8"}) {
    if (std::setlocale(LC_NUMERIC, name)) {
      tried = name;
      break;
    }
  }
  EXPECT_EQ(Py2FloatStr(0.1), "0.1") << (tried ? tried : "C");
  EXPECT_EQ(Py2FloatStr(2.5e-5), "2.5e-05");
  EXPECT_EQ(Py2FloatStr(-1234.5), "-1234.5");
  std::setlocale(LC_NUMERIC, "C");
}

TEST(ConsensusTest, PreviousHashHeightsSkipList) {
  EXPECT_EQ(PreviousHashHeights(100, 0), (std::vector<uint32_t>{99, 97, 93, 85, 69, 37}));
  EXPECT_EQ(PreviousHashHeights(100, 90), (std::vector<uint32_t>{99, 97, 93}));
  EXPECT_TRUE(PreviousHashHeights(90, 90).empty());
  EXPECT_EQ(PreviousHashHeights(1, 0), (std::vector<uint32_t>{0}));
}

// The ops hash works on the digests' bytes; it must equal the Merkle root over
// their hex, for every row length (odd rows duplicate their last node).
TEST(ConsensusTest, OpsHashIsTheMerkleRootOfTheDigestsHex) {
  for (int n = 1; n <= 17; ++n) {
    std::vector<std::string> ops;
    std::vector<std::string> leaves;
    for (int i = 0; i < n; ++i) {
      ops.push_back("op " + std::to_string(n) + "/" + std::to_string(i * 7919 % 31));
      leaves.push_back(crypto::Sha256d(util::AsBytes(ops.back())).Hex());
    }
    EXPECT_EQ(OpsHash(ops), MerkleRootHex(leaves)) << n;
  }
}

TEST(ConsensusTest, MerkleOfOneLeafIsTheLeaf) {
  EXPECT_EQ(MerkleRootHex({"00112233445566778899aabbccddeeff"}), "00112233445566778899aabbccddeeff");
}

}  // namespace
}  // namespace blockstack::virtualchain
