#include <bns/names.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>

#include "testutil/vectors.h"

namespace blockstack::bns {
namespace {

TEST(NamesTest, HashingVectors) {
  auto v = testutil::LoadVectors("bns/hashing.json");
  int checked = 0;
  for (const auto& c : testutil::Cases(v, "vectors")) {
    std::string kind = c["kind"];
    if (kind == "b40_to_bin_hex" || kind == "decodeB40_hex") {
      auto b = B40ToBin(c["input"].get<std::string>());
      ASSERT_TRUE(b);
      EXPECT_EQ(util::ToHex(*b), c["expected_hex"]) << c["input"];
      ++checked;
    } else if (kind == "b40_to_int") {
      auto b = B40ToBin(c["input"].get<std::string>());
      ASSERT_TRUE(b);
      uint64_t n = 0;
      for (auto byte : *b) n = (n << 8) | byte;
      EXPECT_EQ(n, c["expected_int"].get<uint64_t>());
      ++checked;
    } else if (kind.starts_with("name_consensus_hash")) {
      EXPECT_EQ(NameConsensusHash(c["name"].get<std::string>(), c["consensus_hash"].get<std::string>()), c["expected_hex"]);
      ++checked;
    } else if (kind.starts_with("hash_name")) {
      auto script = util::FromHex(c["script_pubkey_hex"].get<std::string>());
      auto h = HashName(c["name"].get<std::string>(), *script, c["register_addr"].get<std::string>());
      ASSERT_TRUE(h);
      EXPECT_EQ(h->Hex(), c["expected_hex"]);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8);
}

TEST(NamesTest, EmptyB40IsOneZeroByte) {
  EXPECT_EQ(util::ToHex(*B40ToBin("")), "00");
  EXPECT_EQ(util::ToHex(*B40ToBin("000")), "00");
  EXPECT_FALSE(B40ToBin("ABC"));
  EXPECT_FALSE(B40ToBin("a b"));
}

TEST(NamesTest, NameValidity) {
  EXPECT_TRUE(IsNameValid("muneeb.id"));
  EXPECT_TRUE(IsNameValid("a-b_c9.x"));
  EXPECT_TRUE(IsNameValid(std::string(35, 'a') + ".x"));
  EXPECT_FALSE(IsNameValid(std::string(36, 'a') + ".x"));  // 38 bytes
  EXPECT_FALSE(IsNameValid("muneeb"));
  EXPECT_FALSE(IsNameValid("a.b.c"));
  EXPECT_FALSE(IsNameValid(".id"));
  EXPECT_FALSE(IsNameValid("a."));
  EXPECT_FALSE(IsNameValid("Muneeb.id"));
  EXPECT_FALSE(IsNameValid("a+b.id"));
  EXPECT_FALSE(IsNameValid(std::string("a\0b.id", 6)));
  EXPECT_FALSE(IsNameValid("a." + std::string(20, 'n')));
  EXPECT_TRUE(IsNamespaceIdValid(std::string(19, 'n')));
  EXPECT_FALSE(IsNamespaceIdValid(""));
  EXPECT_FALSE(IsNamespaceIdValid("a.b"));
  auto s = Split("jude.id");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "jude");
  EXPECT_EQ(s->namespace_id, "id");
}

// Each invalid name is told apart by what is wrong, and always with the rule;
// a valid one has no problem. The problem agrees with IsNameValid.
TEST(NamesTest, NameProblemSaysWhatIsWrong) {
  const std::pair<std::string, std::string> cases[] = {
      {"Alice.id", "the uppercase 'A' at position 1"},
      {"alice", "there is no dot"},
      {"a.b.id", "more than one dot"},
      {".id", "the part before the dot is empty"},
      {"al ice.id", "the character ' ' at position 3"},
      {std::string("al\x01.id"), "the byte 0x01 at position 3"},
      {"alice.", "the namespace ID is empty"},
      {"a.abcdefghijklmnopqrst", "the namespace ID has 20 characters"},
      {"alice.I", "the uppercase 'I' at position 1"},
      {std::string(36, 'a') + ".b", "it has 38 characters"},
  };
  for (const auto& [name, what] : cases) {
    auto problem = NameProblem(name);
    ASSERT_TRUE(problem.has_value()) << name;
    EXPECT_NE(problem->find(what), std::string::npos) << name << ": " << *problem;
    EXPECT_NE(problem->find("a name is NAME.NAMESPACE"), std::string::npos) << *problem;
    EXPECT_FALSE(IsNameValid(name)) << name;
  }
  for (const char* ok : {"alice.id", "a-b_c9.x", "0.0"}) {
    EXPECT_EQ(NameProblem(ok), std::nullopt) << ok;
    EXPECT_TRUE(IsNameValid(ok));
  }
  EXPECT_EQ(NamespaceIdProblem("id"), std::nullopt);
  EXPECT_NE(NamespaceIdProblem("i.d")->find("the character '.' at position 2"), std::string::npos);
}

TEST(NamesTest, NameHash128) {
  // hash128 of ASCII "999" from the hashing vectors.
  EXPECT_EQ(NameHash128("999"), "83cf8b609de60036a8277bd0e9613575");
}

TEST(NamesTest, Hash128MatchesOnlyTheExactLowercaseHash) {
  EXPECT_TRUE(Hash128Matches("83cf8b609de60036a8277bd0e9613575", "999"));
  EXPECT_TRUE(Hash128Matches("83cf8b609de60036a8277bd0e9613575", "99", "9"));  // the parts are joined
  const std::string ch = "d4049672223f42aac2855d2fbf2f38f0";
  EXPECT_TRUE(Hash128Matches(NameConsensusHash("alice.id", ch), "alice.id", ch));
  EXPECT_FALSE(Hash128Matches(NameConsensusHash("alice.id", ch), "alice.id", ch.substr(1)));
  EXPECT_FALSE(Hash128Matches("83cf8b609de60036a8277bd0e9613574", "999"));   // last digit differs
  EXPECT_FALSE(Hash128Matches("83CF8B609DE60036A8277BD0E9613575", "999"));   // payload hex is lowercase
  EXPECT_FALSE(Hash128Matches("83cf8b609de60036a8277bd0e961357", "999"));    // short
  EXPECT_FALSE(Hash128Matches("83cf8b609de60036a8277bd0e96135750", "999"));  // long
  EXPECT_FALSE(Hash128Matches("", ""));
}

}  // namespace
}  // namespace blockstack::bns
