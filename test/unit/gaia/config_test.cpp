// The hub's configuration from the environment: flags are read as the original
// reads them, and what it cannot read stops the hub instead of leaving a check off.
#include <gaia/config.h>

#include <gtest/gtest.h>

#include <cstdlib>

namespace blockstack::gaia {
namespace {

class HubEnvTest : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("GAIA_REQUIRE_CORRECT_HUB_URL"); }
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

}  // namespace
}  // namespace blockstack::gaia
