// The authenticator's own checks, before it asks a node or a hub: the Host and
// Origin guards, missing and bad requests, stale forms. The whole flow with a
// node, a hub and a real app is test/functional/authenticator.test.mjs.
#include <authenticator/authenticator.h>

#include <gtest/gtest.h>

namespace blockstack::authenticator {
namespace {

constexpr const char* MNEMONIC =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() : m_auth(*client::Keychain::FromMnemonic(MNEMONIC), Settings()) { m_auth.SetPort(4321); }
  static AuthenticatorSettings Settings() {
    AuthenticatorSettings s;
    s.node_url = "http://127.0.0.1:1";  // nobody listens
    s.hub_url = "http://127.0.0.1:1";
    s.fetch_timeout = std::chrono::milliseconds(500);
    return s;
  }
  net::Response Get(const std::string& path, const std::string& host = "127.0.0.1:4321") {
    net::Request req;
    req.method = "GET";
    req.path = path;
    req.target = path;
    req.headers["host"] = host;
    return m_auth.Handle(req);
  }
  net::Request Post(const std::string& path, const std::string& body) {
    net::Request req;
    req.method = "POST";
    req.path = req.target = path;
    req.body = body;
    req.body_size = body.size();
    req.headers["host"] = "localhost:4321";
    return req;
  }
  static std::string Header(const net::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  Authenticator m_auth;
};

TEST_F(AuthenticatorTest, OtherHostNamesAreRefused) {
  EXPECT_EQ(Get("/", "evil.example").status, 421u);
  EXPECT_EQ(Get("/", "127.0.0.1:9999").status, 421u);
  EXPECT_EQ(Get("/style.css").status, 200u);
  EXPECT_EQ(Get("/style.css", "LOCALHOST:4321").status, 200u);
}

TEST_F(AuthenticatorTest, PagesAreLockedDown) {
  net::Response r = Get("/auth");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("authRequest"), std::string::npos);
  EXPECT_NE(Header(r, "Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(Header(r, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(Get("/nothing-here").status, 404u);
}

TEST_F(AuthenticatorTest, BadRequestsAreRefusedWithTheReasonAsText) {
  net::Request req;
  req.method = "GET";
  req.path = "/auth";
  req.headers["host"] = "127.0.0.1:4321";
  req.query["authRequest"] = "<script>x</script>";
  net::Response r = m_auth.Handle(req);
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("not a signed token"), std::string::npos);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
}

TEST_F(AuthenticatorTest, FormsFromOtherSitesAndStaleFormsAreRefused) {
  net::Request cross = Post("/approve", "request=00&identity=0");
  cross.headers["origin"] = "http://evil.example";
  EXPECT_EQ(m_auth.Handle(cross).status, 403u);
  net::Request null_origin = Post("/decline", "request=00");
  null_origin.headers["origin"] = "null";
  EXPECT_EQ(m_auth.Handle(null_origin).status, 403u);
  net::Response stale = m_auth.Handle(Post("/approve", "request=00&identity=0"));
  EXPECT_EQ(stale.status, 410u);
  EXPECT_NE(stale.body.find("already answered"), std::string::npos);
  net::Request same = Post("/decline", "request=ff");
  same.headers["origin"] = "http://localhost:4321";
  EXPECT_EQ(m_auth.Handle(same).status, 410u);
}

}  // namespace
}  // namespace blockstack::authenticator
