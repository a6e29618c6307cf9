#include <zonefile/zonefile.h>

#include <gtest/gtest.h>

#include <crypto/hash.h>
#include <util/base64.h>
#include <util/bytes.h>

#include "testutil/vectors.h"

namespace blockstack::zonefile {
namespace {

using nlohmann::json;

std::string Text(const json& c) {
  if (c.contains("zonefile_text")) return c["zonefile_text"].get<std::string>();
  auto raw = util::DecodeBase64(c["zonefile_b64"].get<std::string>());
  return std::string(raw->begin(), raw->end());
}

TEST(ZonefileTest, HashesAreOfTheRawBytes) {
  auto v = testutil::LoadVectors("atlas/zonefile_hash160.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    std::string text = Text(c);
    EXPECT_EQ(text.size(), c["length_bytes"].get<std::size_t>());
    EXPECT_EQ(util::ToHex(crypto::Hash160Of(util::AsBytes(text))), c["expected_hash160"]);
  }
  for (const auto& c : testutil::Cases(v, "negative_cases")) {
    std::string h = util::ToHex(crypto::Hash160Of(util::AsBytes(c["zonefile_text"].get<std::string>())));
    EXPECT_EQ(h, c["expected_hash160"]);
    if (c.contains("must_not_equal")) {
      EXPECT_NE(h, c["must_not_equal"]);
    }
  }
}

TEST(ZonefileTest, ParsesToTheJsonFormOfZoneFileJs) {
  auto v = testutil::LoadVectors("atlas/zonefile_json_repr.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    auto zf = ParseZonefile(c["zonefile_text"].get<std::string>());
    ASSERT_TRUE(zf) << zf.error().message;
    EXPECT_EQ(ToJson(*zf), c["expected_parsed_json"]) << c["file"];
  }
}

TEST(ZonefileTest, ReadsEveryWellFormedGenesisSample) {
  auto v = testutil::LoadVectors("atlas/zonefile_hash160.json");
  int parsed = 0;
  for (const auto& c : testutil::Cases(v, "cases")) {
    std::string note = c["note"];
    auto zf = ParseZonefile(Text(c));
    if (note.starts_with("malformed")) {
      EXPECT_FALSE(zf) << note;
      continue;
    }
    ASSERT_TRUE(zf) << note << ": " << zf.error().message;
    EXPECT_TRUE(zf->origin.has_value());
    ++parsed;
  }
  EXPECT_GE(parsed, 5);
}

TEST(ZonefileTest, UriTargetsInOrderWithSchemeAdded) {
  auto zf = ParseZonefile(
      "$ORIGIN a.id\n$TTL 3600\n_https._tcp URI 10 1 \"https://one.example/p.json\"\n"
      "pubkey TXT \"pubkey:data:00\"\n_http._tcp\tIN\tURI\t10\t1\t\"two.example/p.json\"\n\n");
  ASSERT_TRUE(zf) << zf.error().message;
  EXPECT_EQ(UriTargets(*zf), (std::vector<std::string>{"https://one.example/p.json", "https://two.example/p.json"}));
}

TEST(ZonefileTest, BuiltZonefileReadsBack) {
  std::string text = MakeZonefile("bob.id", {"http://127.0.0.1:4000/hub/1abc/profile.json"});
  EXPECT_EQ(text,
            "$ORIGIN bob.id\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t\"http://127.0.0.1:4000/hub/1abc/profile.json\"\n\n");
  auto zf = ParseZonefile(text);
  ASSERT_TRUE(zf);
  EXPECT_EQ(*zf->origin, "bob.id");
  EXPECT_EQ(*zf->ttl, 3600u);
  EXPECT_EQ(UriTargets(*zf).at(0), "http://127.0.0.1:4000/hub/1abc/profile.json");
}

TEST(ZonefileTest, ReadsOtherRecordTypesCommentsAndParentheses) {
  auto zf = ParseZonefile(
      "$ORIGIN web.id.\n$TTL 600\n@ IN SOA ns1.web.id. admin.web.id. ( 1 ; serial\n 7200 3600 1209600 300 )\n"
      "@ 300 IN A 192.0.2.1\n    AAAA 2001:db8::1\nwww CNAME web.id.\n@ MX 10 mail.web.id.\n"
      "_sip._tcp SRV 10 5 5060 sip.web.id.\nnote TXT \"a \\\"quoted\\\" word\" \"two\"\n");
  ASSERT_TRUE(zf) << zf.error().message;
  json j = ToJson(*zf);
  EXPECT_EQ(j["$origin"], "web.id");
  EXPECT_EQ(j["soa"]["serial"], 1);
  EXPECT_EQ(j["soa"]["minimum"], 300);
  EXPECT_EQ(j["a"][0], (json{{"name", "@"}, {"ttl", 300}, {"ip", "192.0.2.1"}}));
  EXPECT_EQ(j["aaaa"][0]["name"], "@");  // owner carried over from the previous line
  EXPECT_EQ(j["cname"][0]["alias"], "web.id.");
  EXPECT_EQ(j["mx"][0]["preference"], 10);
  EXPECT_EQ(j["srv"][0]["port"], 5060);
  EXPECT_EQ(j["txt"][0]["txt"], (json{"a \"quoted\" word", "two"}));
}

TEST(ZonefileTest, RejectsWhatItDoesNotUnderstand) {
  const char* bad[] = {
      "$ORIGIN a.id $TTL 3600\n",                 // two directives on a line
      "$TTL -1\n",                                // negative
      "$TTL 99999999999\n",                       // out of range
      "$INCLUDE /etc/passwd\n",                   // no includes
      "a URI 10 1\n",                             // missing target
      "a URI 70000 1 \"x\"\n",                    // priority out of range
      "a TXT \"unterminated\n",                   // quote
      "a ( URI 10 1 \"x\"\n",                     // parenthesis
      "a )\n",                                    // stray parenthesis
      "a A 300.1.1.1\n",                          // address
      "a BOGUS x\n",                              // type
      " URI 10 1 \"x\"\n",                        // no owner to carry over
      "a\"b URI 10 1 \"x\"\n",                    // owner with a quote
  };
  for (const char* text : bad) {
    auto zf = ParseZonefile(text);
    EXPECT_FALSE(zf) << text;
    if (!zf) {
      EXPECT_NE(zf.error().message.find("line"), std::string::npos) << zf.error().message;
    }
  }
}

TEST(ZonefileTest, RejectsOversizedFiles) {
  std::string big = "$ORIGIN a.id\n" + std::string(MAX_ZONEFILE_BYTES, ';');
  auto zf = ParseZonefile(big);
  ASSERT_FALSE(zf);
  EXPECT_EQ(zf.error().code, util::ErrorCode::TooLarge);
}

TEST(ZonefileTest, StoragePathsOfTheOriginalNode) {
  auto v = testutil::LoadVectors("atlas/zonefile_storage_paths.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    EXPECT_EQ(StoragePath(c["zonefile_hash"].get<std::string>()), c["expected_path"]);
    EXPECT_EQ(LegacyStoragePath(c["zonefile_hash"].get<std::string>()), c["expected_legacy_path"]);
  }
}

}  // namespace
}  // namespace blockstack::zonefile
