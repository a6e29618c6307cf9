// The hub's configuration from the environment: flags are read as the original
// reads them, and what it cannot read stops the hub instead of leaving a check off.
#include <gaia/config.h>

#include <gtest/gtest.h>

#include <cstdlib>

namespace blockstack::gaia {
namespace {

class HubEnvTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name : {"GAIA_REQUIRE_CORRECT_HUB_URL", "GAIA_PORT", "GAIA_PAGE_SIZE", "GAIA_CACHE_CONTROL",
                             "GAIA_S3_ACCESS_KEY_ID", "GAIA_S3_SECRET_ACCESS_KEY", "GAIA_S3_SESSION_TOKEN",
                             "GAIA_WHITELIST", "GAIA_VALID_HUB_URLS"}) {
      ::unsetenv(name);
    }
  }
  util::Result<bool> RequireCorrectHubUrl(const char* value) {
    ::setenv("GAIA_REQUIRE_CORRECT_HUB_URL", value, 1);
    HubConfig config;
    BS_CHECK_OK(ApplyHubConfigEnv(config));
    return config.require_correct_hub_url;
  }
};

TEST_F(HubEnvTest, TheHubUrlCheckIsOnForAnyNonZeroIntegerOrTrue) {
  for (const char* on : {"1", "2", "-1", "true"}) EXPECT_TRUE(RequireCorrectHubUrl(on).value()) << on;
  for (const char* off : {"0", "00", "false"}) EXPECT_FALSE(RequireCorrectHubUrl(off).value()) << off;
}

TEST_F(HubEnvTest, AFlagThatDoesNotReadIsRefusedNamingTheVariable) {
  for (const char* bad : {"yes", "True", "1.0", "on", " 1"}) {
    auto got = RequireCorrectHubUrl(bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().code, util::ErrorCode::InvalidArgument);
    EXPECT_NE(got.error().message.find("GAIA_REQUIRE_CORRECT_HUB_URL"), std::string::npos);
  }
}

TEST_F(HubEnvTest, TheAuthSettingsAreDescribedForTheLog) {
  HubConfig config;
  config.require_correct_hub_url = true;
  config.server_name = "hub.example";
  config.valid_hub_urls = {"https://hub.example"};
  EXPECT_EQ(DescribeAuth(config),
            "requireCorrectHubUrl on, serverName hub.example, validHubUrls [https://hub.example], whitelist off");
}

TEST_F(HubEnvTest, TheOriginalsVariablesAreRead) {
  ::setenv("GAIA_PORT", "4000", 1);
  ::setenv("GAIA_PAGE_SIZE", "20", 1);
  ::setenv("GAIA_CACHE_CONTROL", "no-store", 1);
  ::setenv("GAIA_S3_ACCESS_KEY_ID", "id", 1);
  ::setenv("GAIA_S3_SECRET_ACCESS_KEY", "secret", 1);
  ::setenv("GAIA_S3_SESSION_TOKEN", "token", 1);
  ::setenv("GAIA_WHITELIST", " 1abc , 1def,,", 1);
  ::setenv("GAIA_VALID_HUB_URLS", "https://a.example, https://b.example", 1);
  HubConfig config;
  ASSERT_TRUE(ApplyHubConfigEnv(config));
  EXPECT_EQ(config.port, 4000);
  EXPECT_EQ(config.page_size, 20u);
  EXPECT_EQ(config.cache_control, "no-store");
  EXPECT_EQ(config.s3.access_key_id, "id");
  EXPECT_EQ(config.s3.secret_access_key, "secret");
  EXPECT_EQ(config.s3.session_token, "token");
  EXPECT_EQ(config.whitelist, (std::vector<std::string>{"1abc", "1def"}));
  EXPECT_EQ(config.valid_hub_urls, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST_F(HubEnvTest, ANumberThatDoesNotReadIsRefusedNamingTheVariable) {
  for (auto [name, value] : std::vector<std::pair<const char*, const char*>>{
           {"GAIA_PORT", "http"}, {"GAIA_PORT", "70000"}, {"GAIA_PAGE_SIZE", "0"}, {"GAIA_PAGE_SIZE", "12abc"}}) {
    ::setenv(name, value, 1);
    HubConfig config;
    auto st = ApplyHubConfigEnv(config);
    ASSERT_FALSE(st) << name << "=" << value;
    EXPECT_NE(st.error().message.find(name), std::string::npos) << st.error().message;
    ::unsetenv(name);
  }
}

TEST(HubJsonTest, TheOriginalsFormsAreAccepted) {
  HubConfig config;
  ASSERT_TRUE(ApplyHubConfigJson(
      R"({"servername": "old-name", "requireCorrectHubUrl": 1, "whitelist": [" 1abc "], "validHubUrls": [" https://h "]})",
      config));
  EXPECT_EQ(config.server_name, "old-name");
  EXPECT_TRUE(config.require_correct_hub_url);
  EXPECT_EQ(config.whitelist, (std::vector<std::string>{"1abc"}));
  EXPECT_EQ(config.valid_hub_urls, (std::vector<std::string>{"https://h"}));
  HubConfig both;
  ASSERT_TRUE(ApplyHubConfigJson(R"({"servername": "old", "serverName": "new", "requireCorrectHubUrl": 0})", both));
  EXPECT_EQ(both.server_name, "new");
  EXPECT_FALSE(both.require_correct_hub_url);
  HubConfig bad;
  auto st = ApplyHubConfigJson(R"({"requireCorrectHubUrl": "yes"})", bad);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("requireCorrectHubUrl"), std::string::npos);
  EXPECT_EQ(HubConfig{}.cache_control, "public, max-age=1");
}

TEST(HubJsonTest, MistakesAreNamedNotIgnored) {
  const std::pair<std::string, std::string> refused[] = {
      {R"({"readUrl": "http://x/"})", "unknown config key 'readUrl'; did you mean 'readURL'?"},
      {R"({"diskSettings": {"storageRootDir": "/x"}})",
       "unknown config key 'diskSettings.storageRootDir'; did you mean 'diskSettings.storageRootDirectory'?"},
      {R"({"awsCredentials": {"acessKeyId": "k"}})", "did you mean 'awsCredentials.accessKeyId'?"},
      {R"({"colour": "blue"})", "unknown config key 'colour'"},
      {R"({"diskSettings": "/x"})", "'diskSettings' must be an object"},
      {R"({"enableHttps": true})", "'enableHttps' must be \"cert_files\""},
      {R"({"enableHttps": "acme"})", "not fetched by this hub"},
      {R"({"enableHttps": "certfiles"})", "must be \"cert_files\", not 'certfiles'"},
      {R"({"httpsPort": 70000})", "'httpsPort' out of range"},
      {R"({"tlsCertConfig": {"keyfile": "k"}})", "did you mean 'tlsCertConfig.keyFile'?"},
      {"{\n  \"port\": 4000,\n  \"driver\": \"disk\",\n", "does not parse as JSON (line 4)"},
      {"{\n  \"port\": 4000,\n  \"driver\" \"disk\"\n}", "does not parse as JSON (line 3)"},
      {R"({"bucketQuota": {"maxByte": 10}})", "did you mean 'bucketQuota.maxBytes'?"},
      {R"({"bucketQuota": {"maxBytes": -1}})", "'bucketQuota.maxBytes' must be a whole number"},
      {R"({"bucketQuotas": {"1Abc": {"maxFiles": "ten"}}})", "'bucketQuotas.1Abc.maxFiles' must be a whole number"},
      {R"({"bucketQuotas": {"1Abc": {"files": 1}}})", "unknown config key 'bucketQuotas.1Abc.files'"},
      {R"({"bucketQuotas": [1]})", "'bucketQuotas' must be an object"},
  };
  for (const auto& [text, message] : refused) {
    HubConfig config;
    auto st = ApplyHubConfigJson(text, config);
    ASSERT_FALSE(st) << text;
    EXPECT_NE(st.error().message.find(message), std::string::npos) << st.error().message;
  }
  // HTTPS as the original's "cert_files": the key and certificate as paths or PEM
  // text, or a PKCS#12 file; one missing is named.
  {
    HubConfig config;
    ASSERT_TRUE(ApplyHubConfigJson(
        R"({"enableHttps": "cert_files", "httpsPort": 0,
            "tlsCertConfig": {"certFile": "-----BEGIN CERTIFICATE-----\nX\n", "keyFile": "/nonexistent/key.pem"}})",
        config));
    EXPECT_TRUE(config.https.enabled);
    EXPECT_EQ(config.https.port, 0);
    auto tls = LoadHttpsCertificate(config.https);
    ASSERT_FALSE(tls);
    EXPECT_NE(tls.error().message.find("tlsCertConfig.keyFile: cannot read /nonexistent/key.pem"), std::string::npos);
    config.https.key_file = "-----BEGIN PRIVATE KEY-----\nY\n";
    tls = LoadHttpsCertificate(config.https);
    ASSERT_TRUE(tls);
    EXPECT_EQ(tls->cert_chain_pem, config.https.cert_file);
    config.https = HttpsSettings{};
    config.https.enabled = true;
    EXPECT_NE(LoadHttpsCertificate(config.https).error().message.find("needs tlsCertConfig.certFile and keyFile"),
              std::string::npos);
    config.https.pfx_file = "not base64!";
    EXPECT_NE(LoadHttpsCertificate(config.https).error().message.find("neither a readable file nor base64"),
              std::string::npos);
    config.https.pfx_file = "AQID";
    config.https.pfx_passphrase = "p";
    tls = LoadHttpsCertificate(config.https);
    ASSERT_TRUE(tls);
    EXPECT_EQ(tls->pkcs12, std::string("\x01\x02\x03"));
    EXPECT_EQ(tls->passphrase, "p");
  }
  // The admin API: keys required when it is on, and long enough.
  {
    HubConfig config;
    ASSERT_TRUE(ApplyHubConfigJson(R"({"adminApi": {"port": 0}})", config));
    EXPECT_TRUE(config.admin.enabled);
    EXPECT_NE(CheckAdminSettings(config.admin).error().message.find("needs adminApi.apiKeys"), std::string::npos);
    config.admin.api_keys = {"short"};
    EXPECT_NE(CheckAdminSettings(config.admin).error().message.find("at least 16"), std::string::npos);
    config.admin.api_keys = {"0123456789abcdef0123"};
    EXPECT_TRUE(CheckAdminSettings(config.admin));
    EXPECT_TRUE(CheckAdminSettings(HubConfig{}.admin));
    EXPECT_FALSE(ApplyHubConfigJson(R"({"adminApi": {"port": 70000}})", config));
    EXPECT_FALSE(ApplyHubConfigJson(R"({"adminApi": {"keys": []}})", config));
  }
  // google-cloud: GCS's XML API by default, HMAC keys; the original's
  // service-account keys alone are noted so the driver can refuse them.
  {
    HubConfig config;
    EXPECT_EQ(config.gcs.endpoint, "https://storage.googleapis.com");
    EXPECT_EQ(config.gcs.region, "auto");
    EXPECT_TRUE(config.gcs.path_style);
    ASSERT_TRUE(ApplyHubConfigJson(R"({"driver": "google-cloud", "gcCredentials": {"accessKeyId": "GOOG1E",
        "secretAccessKey": "s", "endpoint": "http://127.0.0.1:1"}})",
                                   config));
    EXPECT_EQ(config.gcs.access_key_id, "GOOG1E");
    EXPECT_EQ(config.gcs.endpoint, "http://127.0.0.1:1");
    EXPECT_FALSE(config.gcs_service_account_only);
    HubConfig original;
    ASSERT_TRUE(ApplyHubConfigJson(R"({"driver": "google-cloud", "gcCredentials": {"email": "a@b", "projectId": "p",
        "keyFilename": "/key.json"}})",
                                   original));
    EXPECT_TRUE(original.gcs_service_account_only);
  }
  // Quotas: one for every bucket, and some buckets their own.
  {
    HubConfig config;
    ASSERT_TRUE(ApplyHubConfigJson(
        R"({"bucketQuota": {"maxBytes": 1000, "maxFiles": 10}, "bucketQuotas": {"1Abc": {"maxBytes": 0, "maxFiles": 2}}})",
        config));
    EXPECT_EQ(config.QuotaOf("1Other").max_bytes, 1000u);
    EXPECT_EQ(config.QuotaOf("1Other").max_files, 10u);
    EXPECT_EQ(config.QuotaOf("1Abc").max_bytes, 0u);
    EXPECT_EQ(config.QuotaOf("1Abc").max_files, 2u);
    EXPECT_FALSE(HubConfig().QuotaOf("1Abc").Limited());
  }
  // The original's own keys load, those of features this hub lacks too.
  HubConfig config;
  EXPECT_TRUE(ApplyHubConfigJson(
      R"({"servername": "hub", "argsTransport": {"level": "warn"}, "enableHttps": false, "proofsConfig": {"proofsRequired": 0}})",
      config));
}

}  // namespace
}  // namespace blockstack::gaia
