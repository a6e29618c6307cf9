#include <util/url.h>

#include <gtest/gtest.h>

namespace blockstack::util {
namespace {

TEST(UrlTest, ParsesCredentialsHostPortAndPath) {
  auto u = ParseUrl("http://user:p%40ss@127.0.0.1:18443/wallet/x?y=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->user, "user");
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 18443);
  EXPECT_EQ(u->target, "/wallet/x?y=1");
  EXPECT_EQ(u->Origin(), "http://127.0.0.1:18443");
}

TEST(UrlTest, DefaultsPortAndPath) {
  auto u = ParseUrl("https://example.org");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
}

TEST(UrlTest, ParsesIpv6Literal) {
  auto u = ParseUrl("http://[::1]:8332");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8332);
}

TEST(UrlTest, RejectsMalformed) {
  for (auto bad : {"127.0.0.1:80", "ftp://x", "http://", "http://host:0", "http://host:99999", "http://host:ab",
                   "http://u:%zz@host:1"}) {
    EXPECT_FALSE(ParseUrl(bad)) << bad;
  }
}

TEST(UrlTest, HostPort) {
  auto hp = ParseHostPort("127.0.0.1:6270");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->first, "127.0.0.1");
  EXPECT_EQ(hp->second, 6270);
  EXPECT_FALSE(ParseHostPort("6270"));
  EXPECT_FALSE(ParseHostPort(":1"));
}

}  // namespace
}  // namespace blockstack::util
