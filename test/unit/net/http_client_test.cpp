#include <net/http_client.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <chrono>
#include <thread>

namespace blockstack::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A one-connection server that answers with head, then body one byte every
// `gap` (a peer dripping its answer).
class DrippingServer {
 public:
  DrippingServer(std::string body, std::chrono::milliseconds gap)
      : m_acceptor(m_ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    m_thread = std::thread([this, body = std::move(body), gap] {
      tcp::socket s(m_ioc);
      boost::system::error_code ec;
      m_acceptor.accept(s, ec);
      if (ec) return;
      char buf[4096];
      s.read_some(asio::buffer(buf), ec);
      std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
      asio::write(s, asio::buffer(head), ec);
      for (char c : body) {
        if (ec || m_stop) break;
        std::this_thread::sleep_for(gap);
        asio::write(s, asio::buffer(&c, 1), ec);
      }
    });
  }
  ~DrippingServer() {
    m_stop = true;
    m_thread.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(m_acceptor.local_endpoint().port()); }

 private:
  asio::io_context m_ioc;
  tcp::acceptor m_acceptor;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

TEST(HttpClientTest, AnAnswerBelowTheMinimumRateIsCutOff) {
  DrippingServer server(std::string(100, 'x'), std::chrono::milliseconds(100));
  HttpClientOptions o;
  o.timeout = std::chrono::milliseconds(20000);
  o.min_rate = 1000;
  o.min_rate_grace = std::chrono::milliseconds(500);
  auto client = *HttpClient::Create(server.Url(), o);
  auto start = Clock::now();
  auto res = client->Send("GET", "/");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, util::ErrorCode::Timeout);
  EXPECT_NE(res.error().message.find("slower than 1000 bytes/s"), std::string::npos) << res.error().message;
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2000));
}

TEST(HttpClientTest, AnAnswerAboveTheMinimumRateCompletes) {
  DrippingServer server(std::string(20, 'y'), std::chrono::milliseconds(20));
  HttpClientOptions o;
  o.min_rate = 10;  // bytes/s: the server sends about 50
  o.min_rate_grace = std::chrono::milliseconds(100);
  auto client = *HttpClient::Create(server.Url(), o);
  auto res = client->Send("GET", "/");
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, std::string(20, 'y'));
}

TEST(HttpClientTest, OnlyHttpAndHttpsAreSpoken) {
  EXPECT_TRUE(HttpClient::Create("https://example.org"));
  EXPECT_EQ(HttpClient::Create("https://example.org").value()->Url().port, 443);
  auto ftp = HttpClient::Create("ftp://example.org");
  ASSERT_FALSE(ftp);
  EXPECT_EQ(ftp.error().code, util::ErrorCode::InvalidArgument);
}

TEST(HttpClientTest, AnUnreadableCaFileFailsTheExchangeWithItsName) {
  HttpClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto client = *HttpClient::Create("https://127.0.0.1:9", o);
  auto res = client->Send("GET", "/");
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().message.find("/nonexistent/ca.pem"), std::string::npos) << res.error().message;
}

TEST(HttpClientTest, PlainHttpToATlsClientIsNotMistakenForAnAnswer) {
  // A server that is not speaking TLS: the handshake fails, it is not read as HTTP.
  DrippingServer server("ok", std::chrono::milliseconds(0));
  HttpClientOptions o;
  o.timeout = std::chrono::seconds(5);
  auto client = *HttpClient::Create("https://" + server.Url().substr(7), o);
  auto res = client->Send("GET", "/");
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().message.find("TLS handshake"), std::string::npos) << res.error().message;
}

TEST(HttpClientTest, ConnectToSendsAHostsConnectionsElsewhere) {
  DrippingServer server("moved", std::chrono::milliseconds(0));
  const std::string port = server.Url().substr(server.Url().rfind(':') + 1);
  ASSERT_TRUE(AddConnectTo("profiles.example.invalid:8443:127.0.0.1:" + port));
  HttpClientOptions o;
  o.timeout = std::chrono::seconds(5);
  auto res = (*HttpClient::Create("http://profiles.example.invalid:8443", o))->Send("GET", "/p.json");
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "moved");
  // Another port of the same host is not sent there.
  auto other = (*HttpClient::Create("http://profiles.example.invalid:8444", o))->Send("GET", "/");
  EXPECT_FALSE(other);
  for (const char* bad : {"", "a:1:b", "a:1:b:2:c", ":1:b:2", "a:x:b:2", "a:1::2", "a:0:b:2", "a:1:b:70000"}) {
    auto r = AddConnectTo(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, util::ErrorCode::InvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace blockstack::net
