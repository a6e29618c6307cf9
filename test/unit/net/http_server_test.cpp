#include <net/http_server.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <chrono>
#include <thread>

namespace blockstack::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A raw client: writes bytes, reads until the server closes or `until` appears.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : m_socket(m_ioc) {
    m_socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void Write(const std::string& bytes) { asio::write(m_socket, asio::buffer(bytes)); }
  // Reads until `until` is in the buffer (or the connection closes); returns all read.
  std::string ReadUntil(const std::string& until) {
    char buf[4096];
    boost::system::error_code ec;
    while (m_data.find(until) == std::string::npos) {
      std::size_t n = m_socket.read_some(asio::buffer(buf), ec);
      if (ec) {
        m_closed = true;
        break;
      }
      m_data.append(buf, n);
    }
    return m_data;
  }
  bool Closed() {
    ReadUntil("\x01never\x02");
    return m_closed;
  }
  void Clear() { m_data.clear(); }

 private:
  asio::io_context m_ioc;
  tcp::socket m_socket;
  std::string m_data;
  bool m_closed = false;
};

Response Echo(const Request& req) {
  if (req.path == "/boom") throw std::runtime_error("handler bug");
  nlohmann::json j{{"method", req.method}, {"path", req.path}, {"body", req.body}, {"agent", req.Header("user-agent")}};
  for (const auto& [k, v] : req.query) j["query"][k] = v;
  j["repeated"] = req.repeated_query_key;
  return Response::Json(200, j).With("X-Test", "1");
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.max_body_bytes = 1000;
    o.max_header_bytes = 2000;
    o.request_timeout = std::chrono::milliseconds(400);
    o.idle_timeout = std::chrono::milliseconds(400);
    server = std::move(*HttpServer::Start("127.0.0.1", 0, Echo, o));
  }
  std::unique_ptr<HttpServer> server;
};

TEST_F(HttpServerTest, ServesRequestsOnOneKeptAliveConnection) {
  RawClient c(server->Port());
  c.Write("GET /v1/names/a%2Eb?page=2&x=a+b HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n");
  std::string r = c.ReadUntil("}");
  EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(r.find("X-Test: 1"), std::string::npos);
  EXPECT_NE(r.find("\"path\":\"/v1/names/a.b\""), std::string::npos);
  EXPECT_NE(r.find("\"page\":\"2\""), std::string::npos);
  EXPECT_NE(r.find("\"x\":\"a b\""), std::string::npos);
  c.Clear();
  c.Write("POST /z HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  r = c.ReadUntil("}");
  EXPECT_NE(r.find("\"body\":\"hello\""), std::string::npos);
}

TEST_F(HttpServerTest, RepeatedQueryKeysAreFlagged) {
  RawClient c(server->Port());
  c.Write("GET /?a=1&a=2 HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = c.ReadUntil("}");
  EXPECT_NE(r.find("\"repeated\":true"), std::string::npos);
  EXPECT_NE(r.find("\"a\":\"1\""), std::string::npos);
}

TEST_F(HttpServerTest, OversizedBodyGets413AndClose) {
  RawClient c(server->Port());
  c.Write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'));
  std::string r = c.ReadUntil("}");
  EXPECT_NE(r.find("HTTP/1.1 413"), std::string::npos);
  EXPECT_TRUE(c.Closed());
}

TEST_F(HttpServerTest, OversizedHeadersGet431) {
  RawClient c(server->Port());
  c.Write("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n");
  std::string r = c.ReadUntil("}");
  EXPECT_NE(r.find("HTTP/1.1 431"), std::string::npos);
}

TEST_F(HttpServerTest, GarbageGets400) {
  RawClient c(server->Port());
  c.Write("NOT HTTP AT ALL\r\n\r\n");
  std::string r = c.ReadUntil("}");
  EXPECT_NE(r.find("HTTP/1.1 400"), std::string::npos);
  RawClient d(server->Port());
  d.Write("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(d.ReadUntil("}").find("HTTP/1.1 400"), std::string::npos);
}

TEST_F(HttpServerTest, HandlerExceptionsBecome500) {
  RawClient c(server->Port());
  c.Write("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.ReadUntil("}").find("HTTP/1.1 500"), std::string::npos);
}

TEST_F(HttpServerTest, SlowSenderIsCutOffAndOthersAreServed) {
  RawClient slow(server->Port());
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  const std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t i = 0; i < req.size(); ++i) {
    try {
      slow.Write(req.substr(i, 1));
    } catch (const std::exception&) {
      closed = true;
      break;
    }
    // meanwhile a normal client is served at once
    if (i == 2) {
      RawClient fast(server->Port());
      fast.Write(req);
      EXPECT_NE(fast.ReadUntil("}").find("HTTP/1.1 200"), std::string::npos);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(closed || slow.Closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HttpServerTest, IdleConnectionIsClosed) {
  RawClient c(server->Port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.Closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpServerTest, HeadHasNoBody) {
  RawClient c(server->Port());
  c.Write("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = c.ReadUntil("\x01never\x02");
  EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(r.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(r.find("{"), std::string::npos);
}

TEST(HttpServerStartTest, BusyPortIsUnavailable) {
  auto a = HttpServer::Start("127.0.0.1", 0, Echo);
  ASSERT_TRUE(a);
  auto b = HttpServer::Start("127.0.0.1", (*a)->Port(), Echo);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, util::ErrorCode::Unavailable);
  EXPECT_FALSE(HttpServer::Start("not-an-ip", 0, Echo));
}

}  // namespace
}  // namespace blockstack::net
