// The hub's HTTP semantics (spec gaia.md §1-§2), in process over the memory driver.
#include <gaia/drivers/disk_driver.h>
#include <gaia/hub.h>

#include <gtest/gtest.h>

#include <chrono>

#include <condition_variable>
#include <thread>

#include <client/gaia_client.h>
#include <crypto/jwt.h>
#include <crypto/keys.h>
#include "testutil/vectors.h"

namespace blockstack::gaia {
namespace {

using nlohmann::json;

const char* const KEY_HEX = "e0a0eab434faf2c609cac5919b71a2348a747cdf7618cc8847c2d55d98e3df4e";
const char* const ADDRESS = "16mHK3nMEhVGjSYGbzEGA37vej7HYzJ9Xn";
const char* const OTHER_KEY_HEX = "bb75bbdd1ac307c4a9f7a72dc04e2982d055a39f9e468e9bad9e807e5ad38260";
const char* const OTHER_ADDRESS = "1FjG1mM47ydAe84j237QZMgcWYnwLo8tm2";

crypto::PrivateKey Key(const char* hex) { return *crypto::PrivateKey::FromHex(hex); }

std::string Token(const char* key_hex = KEY_HEX, const std::string& server = "test-server") {
  return "bearer " + client::MakeGaiaAuthToken(Key(key_hex), ChallengeText(server), "https://" + server);
}

net::Request Req(std::string method, std::string path, std::string body = "",
                 std::map<std::string, std::string> headers = {}) {
  net::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

class HubTest : public ::testing::Test {
 protected:
  HubTest() { Reset({}); }
  void Reset(HubConfig config) {
    config.server_name = "test-server";
    config.read_url = config.read_url.empty() ? "http://reads.example/hub/" : config.read_url;
    m_hub = std::make_unique<Hub>(config, MakeMemoryDriver());
  }
  net::Response Store(const std::string& path, const std::string& body, std::map<std::string, std::string> headers = {},
                      const std::string& token = Token()) {
    headers["authorization"] = token;
    return m_hub->Handle(Req("POST", "/store/" + std::string(ADDRESS) + "/" + path, body, headers));
  }
  net::Response Read(const std::string& path, std::map<std::string, std::string> headers = {}) {
    return m_hub->Handle(Req("GET", "/hub/" + std::string(ADDRESS) + "/" + path, "", headers));
  }
  static std::string Header(const net::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  std::unique_ptr<Hub> m_hub;
};

TEST_F(HubTest, HubInfoHasTheOriginalShape) {
  auto r = m_hub->Handle(Req("GET", "/hub_info"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"challenge_text":"[\"gaiahub\",\"0\",\"test-server\",\"blockstack_storage_please_sign\"]",)"
                    R"("latest_auth_version":"v1","max_file_upload_size_megabytes":20,)"
                    R"("read_url_prefix":"http://reads.example/hub/"})");
  EXPECT_EQ(m_hub->Handle(Req("GET", "/HUB_INFO/")).status, 200u);
  EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
}

TEST_F(HubTest, PreflightIs204WithCors) {
  auto r = m_hub->Handle(Req("OPTIONS", "/store/x/y"));
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(Header(r, "Access-Control-Max-Age"), "86400");
  EXPECT_EQ(Header(r, "Access-Control-Allow-Headers"), "Authorization,Content-Type,If-Match,If-None-Match");
}

TEST_F(HubTest, StoreThenReadBack) {
  auto r = Store("foo/bar.txt", "hello", {{"content-type", "text/plain"}});
  ASSERT_EQ(r.status, 202u) << r.body;
  auto body = json::parse(r.body);
  EXPECT_EQ(body["publicURL"], "http://reads.example/hub/" + std::string(ADDRESS) + "/foo/bar.txt");
  EXPECT_EQ(body["etag"], "5d41402abc4b2a76b9719d911017c592");
  auto read = Read("foo/bar.txt");
  EXPECT_EQ(read.status, 200u);
  EXPECT_EQ(read.body, "hello");
  EXPECT_EQ(Header(read, "Content-Type"), "text/plain");
  EXPECT_EQ(Header(read, "ETag"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Header(read, "Cache-Control"), "public, max-age=1");
  EXPECT_FALSE(Header(read, "Last-Modified").empty());
  EXPECT_EQ(Header(read, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Read("foo/bar.txt", {{"if-none-match", "\"5d41402abc4b2a76b9719d911017c592\""}}).status, 304u);
  EXPECT_EQ(Read("foo/bar.txt", {{"if-none-match", "other"}}).status, 200u);
  EXPECT_EQ(Read("missing").status, 404u);
  // Without a content type the hub stores application/octet-stream.
  ASSERT_EQ(Store("raw", "x").status, 202u);
  EXPECT_EQ(Header(Read("raw"), "Content-Type"), "application/octet-stream");
}

TEST_F(HubTest, EtagPreconditions) {
  auto first = Store("f", "one", {{"if-none-match", "*"}});
  ASSERT_EQ(first.status, 202u);
  std::string etag = json::parse(first.body)["etag"];
  EXPECT_EQ(Store("f", "again", {{"if-none-match", "*"}}).status, 412u);
  auto mismatch = Store("f", "x", {{"if-match", "wrong"}});
  EXPECT_EQ(mismatch.status, 412u);
  // The original's message and error name.
  EXPECT_EQ(json::parse(mismatch.body)["message"], "The provided ETag does not match that of the resource on the server");
  EXPECT_EQ(json::parse(mismatch.body)["error"], "PreconditionFailedError");
  EXPECT_EQ(Store("f", "x", {{"if-match", etag}, {"if-none-match", "*"}}).status, 412u);
  EXPECT_EQ(Store("f", "x", {{"if-none-match", etag}}).status, 412u);
  EXPECT_EQ(Store("new", "x", {{"if-match", "anything"}}).status, 412u);
  auto second = Store("f", "two", {{"if-match", etag}});
  ASSERT_EQ(second.status, 202u);
  EXPECT_EQ(Store("f", "three", {{"if-match", etag}}).status, 412u);  // stale now
  EXPECT_EQ(Store("f", "three", {{"if-match", "*"}}).status, 202u);
  auto failed = Store("f", "x", {{"if-match", "wrong"}});
  EXPECT_EQ(json::parse(failed.body)["error"], "PreconditionFailedError");
  EXPECT_EQ(Read("f").body, "three");
}

TEST_F(HubTest, RejectsBadTokensWithoutTouchingData) {
  ASSERT_EQ(Store("f", "kept").status, 202u);
  // Another key's token for this bucket; garbage; a token for another server name.
  for (const std::string& token : {Token(OTHER_KEY_HEX), std::string("bearer v1:junk"), std::string(""),
                                   Token(KEY_HEX, "other-server")}) {
    auto r = Store("f", "overwritten", {}, token);
    EXPECT_EQ(r.status, 401u) << token;
    EXPECT_EQ(json::parse(r.body)["error"], "ValidationError");
  }
  EXPECT_EQ(Read("f").body, "kept");
}

TEST_F(HubTest, PathTraversalIs403) {
  for (const char* path : {"../escape", "a/../../b", "..", "a..b"}) {
    auto r = Store(path, "x");
    EXPECT_EQ(r.status, 403u) << path;
    EXPECT_EQ(json::parse(r.body)["error"], "BadPathError");
  }
  auto del = m_hub->Handle(Req("DELETE", "/delete/" + std::string(ADDRESS) + "/../x", "", {{"authorization", Token()}}));
  EXPECT_EQ(del.status, 403u);
}

TEST_F(HubTest, DeleteSemantics) {
  ASSERT_EQ(Store("d", "x").status, 202u);
  auto del = [&](const std::string& path, const std::string& token) {
    return m_hub->Handle(Req("DELETE", "/delete/" + std::string(ADDRESS) + "/" + path, "", {{"authorization", token}}));
  };
  EXPECT_EQ(del("d", Token(OTHER_KEY_HEX)).status, 401u);
  auto ok = del("d", Token());
  EXPECT_EQ(ok.status, 202u);
  EXPECT_TRUE(ok.body.empty());
  auto missing = del("d", Token());
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(json::parse(missing.body)["error"], "DoesNotExist");
  // Only DELETE is routed.
  EXPECT_EQ(m_hub->Handle(Req("POST", "/delete/" + std::string(ADDRESS) + "/d", "", {{"authorization", Token()}})).status,
            404u);
}

TEST_F(HubTest, ListFilesPagesThroughEverything) {
  HubConfig config;
  config.page_size = 3;
  Reset(config);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Store("file" + std::to_string(i), "x").status, 202u);
  std::set<std::string> seen;
  json page = nullptr;
  int calls = 0;
  while (true) {
    auto r = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), json{{"page", page}}.dump(),
                               {{"authorization", Token()}, {"content-type", "application/json"}}));
    ASSERT_EQ(r.status, 202u) << r.body;
    auto body = json::parse(r.body);
    ASSERT_TRUE(body.contains("page"));
    for (const auto& e : body["entries"]) seen.insert(e.get<std::string>());
    ++calls;
    if (body["page"].is_null()) break;
    page = body["page"];
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(calls, 4);
  auto stat = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), R"({"stat":true})",
                                {{"authorization", Token()}, {"content-type", "application/json"}}));
  auto first = json::parse(stat.body)["entries"][0];
  EXPECT_EQ(first["exists"], true);
  EXPECT_EQ(first["contentLength"], 1);
  EXPECT_TRUE(first.contains("etag"));
  // Milliseconds since the epoch, as the original's drivers give (Date.getTime()).
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_NEAR(first["lastModifiedDate"].get<double>(), static_cast<double>(now_ms), 600000.0);
  auto bad_json = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), "{nope",
                                    {{"authorization", Token()}, {"content-type", "application/json"}}));
  EXPECT_EQ(bad_json.status, 400u);
  auto huge = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), std::string(5000, ' '),
                                {{"authorization", Token()}, {"content-type", "application/json"}}));
  EXPECT_EQ(huge.status, 413u);
  auto unauth = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), "{}", {{"authorization", Token(OTHER_KEY_HEX)}}));
  EXPECT_EQ(unauth.status, 401u);
}

TEST_F(HubTest, RevokeAllInvalidatesOlderTokens) {
  std::string old_token = Token();
  ASSERT_EQ(Store("f", "x", {}, old_token).status, 202u);
  auto revoke = [&](const std::string& body, const std::string& token) {
    return m_hub->Handle(Req("POST", "/revoke-all/" + std::string(ADDRESS), body,
                             {{"authorization", token}, {"content-type", "application/json"}}));
  };
  EXPECT_EQ(revoke("{}", old_token).status, 400u);
  EXPECT_EQ(revoke(R"({"oldestValidTimestamp":0})", old_token).status, 400u);
  EXPECT_EQ(revoke(R"({"oldestValidTimestamp":"abc"})", old_token).status, 400u);
  EXPECT_EQ(revoke(R"({"oldestValidTimestamp":-5})", old_token).status, 400u);
  EXPECT_EQ(revoke(R"({"oldestValidTimestamp":4000000000})", Token(OTHER_KEY_HEX)).status, 401u);
  auto ok = revoke(R"({"oldestValidTimestamp":4000000000})", old_token);
  ASSERT_EQ(ok.status, 202u);
  EXPECT_EQ(ok.body, R"({"status":"success"})");
  auto refused = Store("f", "y", {}, old_token);
  EXPECT_EQ(refused.status, 401u);
  EXPECT_EQ(json::parse(refused.body)["error"], "AuthTokenTimestampValidationError");
  EXPECT_EQ(m_hub->Handle(Req("GET", "/hub/" + std::string(ADDRESS) + "-auth/authTimestamp")).body, "4000000000");
  // A smaller value never lowers it.
  EXPECT_EQ(revoke(R"({"oldestValidTimestamp":"12abc"})", old_token).status, 202u);
  EXPECT_EQ(m_hub->Handle(Req("GET", "/hub/" + std::string(ADDRESS) + "-auth/authTimestamp")).body, "4000000000");
}

TEST_F(HubTest, ScopesRestrictWritesAndDeletes) {
  auto key = Key(KEY_HEX);
  nlohmann::ordered_json payload = {{"gaiaChallenge", ChallengeText("test-server")},
                                    {"iss", key.GetPublicKey().Hex()},
                                    {"scopes", json::array({{{"scope", "putFilePrefix"}, {"domain", "photos/"}},
                                                            {{"scope", "deleteFile"}, {"domain", "photos/a"}}})}};
  std::string token = "bearer v1:" + crypto::SignJwtEs256k(payload, key);
  EXPECT_EQ(Store("photos/a", "x", {}, token).status, 202u);
  EXPECT_EQ(Store("docs/a", "x", {}, token).status, 401u);
  ASSERT_EQ(Store("photos/b", "x", {}, token).status, 202u);
  auto del = [&](const std::string& path) {
    return m_hub->Handle(Req("DELETE", "/delete/" + std::string(ADDRESS) + "/" + path, "", {{"authorization", token}}));
  };
  EXPECT_EQ(del("photos/b").status, 401u);
  EXPECT_EQ(del("photos/a").status, 202u);
}

TEST_F(HubTest, ArchivalScopesKeepHistory) {
  auto key = Key(KEY_HEX);
  nlohmann::ordered_json payload = {{"gaiaChallenge", ChallengeText("test-server")},
                                    {"iss", key.GetPublicKey().Hex()},
                                    {"scopes", json::array({{{"scope", "putFileArchivalPrefix"}, {"domain", "notes/"}}})}};
  std::string token = "bearer v1:" + crypto::SignJwtEs256k(payload, key);
  ASSERT_EQ(Store("notes/n.txt", "v1", {}, token).status, 202u);
  ASSERT_EQ(Store("notes/n.txt", "v2", {}, token).status, 202u);
  EXPECT_EQ(Store("other.txt", "x", {}, token).status, 401u);
  EXPECT_EQ(Read("notes/n.txt").body, "v2");
  // A plain token sees the history file; the archival token does not.
  auto list = [&](const std::string& t) {
    return json::parse(m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), "{}", {{"authorization", t}})).body);
  };
  EXPECT_EQ(list(Token())["entries"].size(), 2u);
  EXPECT_EQ(list(token)["entries"], json::array({"notes/n.txt"}));
}

TEST_F(HubTest, ListFilesByPrefixPageSizeAndTotal) {
  HubConfig config;
  config.page_size = 4;
  Reset(config);
  for (int i = 0; i < 7; ++i) ASSERT_EQ(Store("photos/p" + std::to_string(i), "x").status, 202u);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Store("docs/d" + std::to_string(i), "x").status, 202u);
  auto list = [&](json body) {
    auto r = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), body.dump(),
                               {{"authorization", Token()}, {"content-type", "application/json"}}));
    return std::make_pair(r.status, json::parse(r.body, nullptr, false));
  };
  auto [status, first] = list({{"prefix", "photos/"}, {"pageSize", 2}, {"total", true}});
  ASSERT_EQ(status, 202u) << first.dump();
  EXPECT_EQ(first["entries"], json::array({"photos/p0", "photos/p1"}));
  EXPECT_EQ(first["total"], 7);
  std::vector<std::string> all;
  json page = nullptr;
  do {
    auto [st, body] = list({{"prefix", "photos/"}, {"pageSize", 3}, {"page", page}});
    ASSERT_EQ(st, 202u);
    for (const auto& e : body["entries"]) all.push_back(e);
    page = body["page"];
  } while (!page.is_null());
  EXPECT_EQ(all.size(), 7u);
  EXPECT_EQ(list({{"prefix", "docs/"}, {"total", true}}).second["total"], 3);
  EXPECT_EQ(list({{"total", true}}).second["total"], 10);
  EXPECT_EQ(list({{"prefix", "none/"}}).second["entries"], json::array());
  EXPECT_FALSE(list(json::object()).second.contains("total"));  // the original's answer unless asked
  for (json bad : {json{{"pageSize", 0}}, json{{"pageSize", 5}}, json{{"pageSize", -1}}, json{{"pageSize", 1.5}},
                   json{{"prefix", 3}}, json{{"versionsOf", "dir/"}}, json{{"versionsOf", ""}}}) {
    auto [st, body] = list(bad);
    EXPECT_EQ(st, 400u) << bad.dump();
    EXPECT_TRUE(body.contains("message")) << bad.dump();
  }
}

TEST_F(HubTest, ArchivedVersionsAreListedNewestFirstAndReadable) {
  auto key = Key(KEY_HEX);
  nlohmann::ordered_json payload = {
      {"gaiaChallenge", ChallengeText("test-server")},
      {"iss", key.GetPublicKey().Hex()},
      {"scopes", json::array({{{"scope", "putFileArchivalPrefix"}, {"domain", "notes/"}}})}};
  std::string token = "bearer v1:" + crypto::SignJwtEs256k(payload, key);
  for (const char* v : {"v1", "v2", "v3"}) {
    ASSERT_EQ(Store("notes/n.txt", v, {}, token).status, 202u);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  ASSERT_EQ(Store("notes/other-n.txt", "o1", {}, token).status, 202u);
  ASSERT_EQ(Store("notes/other-n.txt", "o2", {}, token).status, 202u);
  auto r = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), R"({"versionsOf":"notes/n.txt"})",
                             {{"authorization", token}, {"content-type", "application/json"}}));
  ASSERT_EQ(r.status, 202u) << r.body;
  auto body = json::parse(r.body);
  ASSERT_EQ(body["total"], 2);  // v1 and v2 were archived; v3 is current
  std::vector<std::string> versions;
  for (const auto& e : body["entries"]) {
    EXPECT_TRUE(e["name"].get<std::string>().starts_with("notes/.history."));
    EXPECT_TRUE(e["name"].get<std::string>().ends_with(".n.txt"));
    versions.push_back(Read(e["name"]).body);
  }
  EXPECT_EQ(versions, (std::vector<std::string>{"v2", "v1"}));
}

TEST_F(HubTest, BucketQuotasRefuseWritesOverThemAndKeepTheOldContent) {
  HubConfig config;
  config.bucket_quota = {.max_bytes = 10, .max_files = 3};
  config.bucket_quotas[OTHER_ADDRESS] = {.max_bytes = 0, .max_files = 1};
  Reset(config);
  ASSERT_EQ(Store("a", "aaaa").status, 202u);
  ASSERT_EQ(Store("b", "bbbbbb").status, 202u);  // 10 of 10 bytes
  auto over = Store("c", "c");
  EXPECT_EQ(over.status, 507u);
  EXPECT_NE(json::parse(over.body)["message"].get<std::string>().find("Bucket quota exceeded"), std::string::npos);
  EXPECT_EQ(Read("c").status, 404u);
  auto bigger = Store("b", "bbbbbbb");  // replacing 6 bytes by 7
  EXPECT_EQ(bigger.status, 507u);
  EXPECT_EQ(Read("b").body, "bbbbbb");
  ASSERT_EQ(Store("a", "aa").status, 202u);  // 8 of 10
  ASSERT_EQ(Store("c", "cc").status, 202u);  // 10 of 10, 3 files
  auto del = m_hub->Handle(Req("DELETE", "/delete/" + std::string(ADDRESS) + "/b", "", {{"authorization", Token()}}));
  ASSERT_EQ(del.status, 202u);
  ASSERT_EQ(Store("d", "dddd").status, 202u);  // 8 of 10, 3 files
  auto files = Store("e", "");
  EXPECT_EQ(files.status, 507u);
  EXPECT_NE(json::parse(files.body)["message"].get<std::string>().find("3 files"), std::string::npos);
  // Another bucket: its own quota (no byte limit, one file).
  auto other = [&](const std::string& path, const std::string& body) {
    return m_hub->Handle(Req("POST", "/store/" + std::string(OTHER_ADDRESS) + "/" + path, body,
                             {{"authorization", Token(OTHER_KEY_HEX)}}));
  };
  ASSERT_EQ(other("x", std::string(100, 'x')).status, 202u);
  EXPECT_EQ(other("y", "y").status, 507u);
}

TEST_F(HubTest, QuotaUsageIsCountedFromWhatTheBucketAlreadyHolds) {
  // Two hubs in turn on one disk: the first without a quota, the second with one.
  const std::string root = testutil::MakeTempDir("gaia-quota");
  HubConfig config;
  config.server_name = "test-server";
  config.read_url = "http://reads.example/hub/";
  m_hub = std::make_unique<Hub>(config, std::move(*MakeDiskDriver(root)));
  ASSERT_EQ(Store("old1", std::string(6, 'o')).status, 202u);
  ASSERT_EQ(Store("dir/old2", std::string(3, 'o')).status, 202u);
  config.bucket_quota = {.max_bytes = 10, .max_files = 0};
  m_hub = std::make_unique<Hub>(config, std::move(*MakeDiskDriver(root)));
  EXPECT_EQ(Store("new", "nn").status, 507u);  // 9 + 2 > 10
  EXPECT_EQ(Store("new", "n").status, 202u);   // 10 of 10
}

TEST_F(HubTest, WhitelistAndAssociationTokens) {
  HubConfig config;
  config.whitelist = std::vector<std::string>{OTHER_ADDRESS};
  Reset(config);
  auto r = Store("f", "x");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(json::parse(r.body)["message"], "Address " + std::string(ADDRESS) + " not authorized for writes");
  // The whitelisted identity key associates the app key.
  auto app = Key(KEY_HEX);
  std::string association = client::MakeGaiaAssociationToken(Key(OTHER_KEY_HEX), app.GetPublicKey().Hex());
  std::string token = "bearer " + client::MakeGaiaAuthToken(app, ChallengeText("test-server"), "https://test-server",
                                                              association);
  EXPECT_EQ(Store("f", "x", {}, token).status, 202u);
}

TEST_F(HubTest, OverlongContentTypeIsRefused) {
  auto r = Store("f", "x", {{"content-type", std::string(2000, 'a')}});
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(Read("f").status, 404u);
}

TEST_F(HubTest, ConcurrentWritesToOnePathGet409) {
  // A driver that holds the first write until told to finish.
  class SlowDriver : public Driver {
   public:
    explicit SlowDriver(std::unique_ptr<Driver> inner) : m_inner(std::move(inner)) {}
    std::string ReadUrlPrefix() const override { return ""; }
    util::Result<std::string> Write(std::string_view t, std::string_view p, std::string_view d,
                                    std::string_view c) override {
      std::unique_lock lock(mutex);
      entered = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return m_inner->Write(t, p, d, c);
    }
    util::Status Delete(std::string_view t, std::string_view p) override { return m_inner->Delete(t, p); }
    util::Status Rename(std::string_view t, std::string_view p, std::string_view n) override {
      return m_inner->Rename(t, p, n);
    }
    util::Result<ObjectStat> Stat(std::string_view t, std::string_view p) override { return m_inner->Stat(t, p); }
    util::Result<ObjectData> Read(std::string_view t, std::string_view p) override { return m_inner->Read(t, p); }
    util::Result<ListPage> List(std::string_view t, const std::optional<std::string>& pg, std::size_t n, bool s,
                                std::string_view prefix) override {
      return m_inner->List(t, pg, n, s, prefix);
    }
    std::mutex mutex;
    std::condition_variable cv;
    bool entered = false, release = false;

   private:
    std::unique_ptr<Driver> m_inner;
  };
  auto slow = std::make_unique<SlowDriver>(MakeMemoryDriver());
  SlowDriver* raw = slow.get();
  HubConfig config;
  config.server_name = "test-server";
  config.read_url = "http://reads.example/hub/";
  m_hub = std::make_unique<Hub>(config, std::move(slow));
  net::Response first;
  std::thread writer([&] { first = Store("race", "A"); });
  {
    std::unique_lock lock(raw->mutex);
    raw->cv.wait(lock, [&] { return raw->entered; });
  }
  auto second = Store("race", "B");
  EXPECT_EQ(second.status, 409u);
  EXPECT_EQ(json::parse(second.body)["error"], "ConflictError");
  {
    std::lock_guard lock(raw->mutex);
    raw->release = true;
  }
  raw->cv.notify_all();
  writer.join();
  EXPECT_EQ(first.status, 202u);
  EXPECT_EQ(Read("race").body, "A");
}

TEST_F(HubTest, MetricsCountRequests) {
  Store("m", "x");
  m_hub->Handle(Req("GET", "/hub_info"));
  auto r = m_hub->Handle(Req("GET", "/metrics"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("gaia_requests_total{route=\"store\",status=\"202\"} 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("gaia_request_duration_seconds_bucket{route=\"hub_info\",le=\"+Inf\"} 1"), std::string::npos);
}

TEST_F(HubTest, AFileNameThatIsNotUtf8IsRefusedAndNothingIsStored) {
  auto r = Store("bad\xff\xfename", "x");
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"], "BadPathError");
  EXPECT_EQ(Store("good-\xc3\xa9", "x").status, 202u);
  auto listed = m_hub->Handle(Req("POST", "/list-files/" + std::string(ADDRESS), "{}",
                                  {{"authorization", Token()}, {"content-type", "application/json"}}));
  ASSERT_EQ(listed.status, 202u) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["entries"], json::array({"good-\xc3\xa9"}));
}

TEST_F(HubTest, UnknownRoutesAre404) {
  EXPECT_EQ(m_hub->Handle(Req("GET", "/nothing")).status, 404u);
  EXPECT_EQ(m_hub->Handle(Req("POST", "/store/not-alnum!/x", "", {{"authorization", Token()}})).status, 404u);
  EXPECT_EQ(m_hub->Handle(Req("POST", "/store/" + std::string(ADDRESS) + "/", "", {{"authorization", Token()}})).status,
            404u);
}

}  // namespace
}  // namespace blockstack::gaia
