#include <gaia/auth.h>

#include <gtest/gtest.h>

#include <chrono>

#include "testutil/vectors.h"

namespace blockstack::gaia {
namespace {

double Now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

AuthSettings SettingsOf(const nlohmann::json& check) {
  AuthSettings s;
  s.server_name = check["serverName"];
  s.require_correct_hub_url = check.value("requireCorrectHubUrl", false);
  if (check.contains("validHubUrls") && check["validHubUrls"].is_array()) {
    s.valid_hub_urls = check["validHubUrls"].get<std::vector<std::string>>();
  }
  return s;
}

nlohmann::json ScopesJson(const Scopes& s) {
  return {{"writePrefixes", s.write_prefixes},       {"writePaths", s.write_paths},
          {"deletePrefixes", s.delete_prefixes},     {"deletePaths", s.delete_paths},
          {"writeArchivalPrefixes", s.write_archival_prefixes}, {"writeArchivalPaths", s.write_archival_paths}};
}

void CheckCase(const nlohmann::json& c) {
  SCOPED_TRACE(c["name"].get<std::string>());
  const auto& check = c["checkAgainst"];
  double oldest = check.contains("oldestValidTokenTimestamp") ? check["oldestValidTokenTimestamp"].get<double>() : 0;
  auto r = ValidateAuthorizationHeader(c["authorizationHeader"].get<std::string>(),
                                       check["bucketAddress"].get<std::string>(), SettingsOf(check), oldest, Now());
  const auto& expected = c["expected"];
  if (expected["valid"].get<bool>()) {
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->signer_address, expected["signerAddress"]);
    if (expected.contains("parsedScopes")) {
      EXPECT_EQ(ScopesJson(r->scopes), expected["parsedScopes"]);
    }
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(ClassName(r.error().kind), expected["error"].get<std::string>());
    EXPECT_EQ(r.error().message, expected["message"].get<std::string>());
    EXPECT_EQ(HttpStatus(r.error().kind), 401u);
  }
}

TEST(AuthTest, V1TokenVectors) {
  auto v = testutil::LoadVectors("gaia/auth_v1_tokens.json");
  ASSERT_GE(v["cases"].size(), 20u);
  for (const auto& c : testutil::Cases(v, "cases")) CheckCase(c);
}

TEST(AuthTest, LegacyAndHeaderParseVectors) {
  auto v = testutil::LoadVectors("gaia/auth_legacy_and_header_parse.json");
  for (const auto& c : testutil::Cases(v, "cases")) CheckCase(c);
  for (const auto& c : testutil::Cases(v, "headerParseCases")) CheckCase(c);
}

TEST(AuthTest, ChallengeTextVectors) {
  auto v = testutil::LoadVectors("gaia/challenge_texts.json");
  for (const auto& c : testutil::Cases(v, "cases")) {
    std::string server = c["serverName"];
    EXPECT_EQ(ChallengeText(server), c["current"]);
    auto all = AcceptedChallengeTexts(server);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[1], c["legacy"][0]);
    EXPECT_EQ(all[2], c["legacy"][1]);
  }
}

TEST(AuthTest, CacheSkipsReverificationButStillChecksClockAndRevocation) {
  auto v = testutil::LoadVectors("gaia/auth_v1_tokens.json");
  const nlohmann::json* valid = nullptr;
  for (const auto& c : testutil::Cases(v, "cases")) {
    if (c["name"] == "valid_basic") valid = &c;
  }
  ASSERT_NE(valid, nullptr);
  std::string header = (*valid)["authorizationHeader"];
  std::string bucket = (*valid)["checkAgainst"]["bucketAddress"];
  AuthSettings settings = SettingsOf((*valid)["checkAgainst"]);
  AuthCache cache(4);
  ASSERT_TRUE(cache.Validate(header, bucket, settings, 0, Now()));
  EXPECT_EQ(cache.Hits(), 0u);
  ASSERT_TRUE(cache.Validate(header, bucket, settings, 0, Now()));
  EXPECT_EQ(cache.Hits(), 1u);
  // exp is 4102444800: after it, the cached token is expired.
  auto expired = cache.Validate(header, bucket, settings, 0, 4102444801.0);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("Expired authentication token"), std::string::npos);
  // iat is 1700000000: a later revocation applies to the cached token.
  auto revoked = cache.Validate(header, bucket, settings, 1800000000, Now());
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().kind, HubErrorKind::AuthTimestamp);
  // Another bucket is a different key: not a hit, and refused.
  auto other = cache.Validate(header, "1FjG1mM47ydAe84j237QZMgcWYnwLo8tm2", settings, 0, Now());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message, "Address not allowed to write on this path");
}

TEST(AuthTest, ScopeMatching) {
  Scopes s;
  EXPECT_TRUE(s.AllowsWrite("anything"));
  s.write_prefixes = {"photos/"};
  s.write_paths = {"a.txt"};
  EXPECT_TRUE(s.AllowsWrite("photos/x.jpg"));
  EXPECT_TRUE(s.AllowsWrite("a.txt"));
  EXPECT_FALSE(s.AllowsWrite("a.txt2"));
  EXPECT_FALSE(s.AllowsWrite("photo"));
  EXPECT_TRUE(s.AllowsDelete("anything"));
  EXPECT_FALSE(s.HasArchival());
}

TEST(AuthTest, JsNumberPrintsLikeJavaScript) {
  EXPECT_EQ(JsNumber(1), "1");
  EXPECT_EQ(JsNumber(1700000000), "1700000000");
  EXPECT_EQ(JsNumber(1.5), "1.5");
  EXPECT_EQ(JsNumber(1700000000.25), "1700000000.25");
}

}  // namespace
}  // namespace blockstack::gaia
