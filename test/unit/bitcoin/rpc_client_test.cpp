#include <bitcoin/rpc/batch_reply.h>
#include <bitcoin/rpc/rpc_client.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <atomic>
#include <thread>

namespace blockstack::bitcoin::rpc {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A loopback HTTP server that answers every request with responder(request body),
// or, with silent=true, accepts and never answers.
class CannedServer {
 public:
  using Responder = std::function<std::string(const std::string& body)>;

  explicit CannedServer(Responder responder, bool silent = false)
      : m_acceptor(m_ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        m_responder(std::move(responder)),
        m_silent(silent) {
    m_thread = std::thread([this] { Serve(); });
  }
  ~CannedServer() {
    m_stop = true;
    // A blocking accept is not woken by close(): connect once to release it.
    boost::system::error_code ec;
    tcp::socket waker(m_ioc);
    waker.connect(m_acceptor.local_endpoint(), ec);
    waker.close(ec);
    m_thread.join();
    m_acceptor.close(ec);
  }
  uint16_t Port() const { return m_acceptor.local_endpoint().port(); }
  int Requests() const { return m_requests; }

 private:
  void Serve() {
    while (!m_stop) {
      tcp::socket sock(m_ioc);
      boost::system::error_code ec;
      m_acceptor.accept(sock, ec);
      if (ec || m_stop) return;
      if (m_silent) {
        m_held.push_back(std::move(sock));
        continue;
      }
      // Serve requests on this connection until the client closes it.
      std::string buf;
      while (true) {
        char tmp[4096];
        auto header_end = buf.find("\r\n\r\n");
        while (header_end == std::string::npos) {
          std::size_t n = sock.read_some(asio::buffer(tmp), ec);
          if (ec) break;
          buf.append(tmp, n);
          header_end = buf.find("\r\n\r\n");
        }
        if (ec) break;
        auto cl = buf.find("Content-Length: ");
        std::size_t len = cl == std::string::npos ? 0 : std::stoul(buf.substr(cl + 16));
        while (buf.size() < header_end + 4 + len) {
          std::size_t n = sock.read_some(asio::buffer(tmp), ec);
          if (ec) break;
          buf.append(tmp, n);
        }
        if (ec) break;
        std::string body = buf.substr(header_end + 4, len);
        buf.erase(0, header_end + 4 + len);
        ++m_requests;
        std::string response = m_responder(body);
        asio::write(sock, asio::buffer(response), ec);
        if (ec) break;
      }
    }
  }

  asio::io_context m_ioc;
  tcp::acceptor m_acceptor;
  Responder m_responder;
  bool m_silent;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_requests{0};
  std::vector<tcp::socket> m_held;
  std::thread m_thread;
};

std::string Http(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

RpcOptions Fast() {
  RpcOptions o;
  o.timeout = std::chrono::milliseconds(300);
  o.max_retries = 1;
  o.initial_backoff = std::chrono::milliseconds(10);
  return o;
}

std::unique_ptr<RpcClient> Client(uint16_t port, RpcOptions o = Fast()) {
  return std::move(*RpcClient::Create("http://u:p@127.0.0.1:" + std::to_string(port), o));
}

TEST(RpcClientTest, CallsAndKeepsConnectionAlive) {
  CannedServer server([](const std::string& body) {
    auto req = nlohmann::json::parse(body);
    return Http(200, nlohmann::json({{"result", 42}, {"error", nullptr}, {"id", req["id"]}}).dump());
  });
  auto c = Client(server.Port());
  EXPECT_EQ(*c->GetBlockCount(), 42u);
  EXPECT_EQ(*c->GetBlockCount(), 42u);
  EXPECT_EQ(server.Requests(), 2);
}

TEST(RpcClientTest, BatchAnswersMatchedById) {
  CannedServer server([](const std::string& body) {
    auto req = nlohmann::json::parse(body);
    nlohmann::json out = nlohmann::json::array();
    // answer in reverse order; the second call fails
    for (auto it = req.rbegin(); it != req.rend(); ++it) {
      if ((*it)["params"][0] == 2) {
        out.push_back({{"result", nullptr}, {"error", {{"code", -8}, {"message", "Block height out of range"}}}, {"id", (*it)["id"]}});
      } else {
        out.push_back({{"result", (*it)["params"][0]}, {"error", nullptr}, {"id", (*it)["id"]}});
      }
    }
    return Http(200, out.dump());
  });
  auto c = Client(server.Port());
  std::vector<RpcCall> calls{{"echo", {1}}, {"echo", {2}}, {"echo", {3}}};
  auto r = c->CallBatch(calls);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(*(*r)[0], 1);
  ASSERT_FALSE((*r)[1]);
  EXPECT_EQ((*r)[1].error().code, util::ErrorCode::NotFound);
  EXPECT_EQ(*(*r)[2], 3);
  EXPECT_EQ(server.Requests(), 1);
}

// Hex results are decoded from the reply in place, or through the JSON parser when
// the reply is not in plain form (here: an escaped slash in an error message); both
// ways give the same bytes, errors and refusals.
TEST(RpcClientTest, HexBatchReadInPlaceOrAsJson) {
  for (const bool plain : {true, false}) {
    CannedServer server([plain](const std::string& body) {
      auto req = nlohmann::json::parse(body);
      const auto id = [&](int i) { return req[i]["id"].dump(); };
      std::string out = "[ {\"id\": " + id(2) + ", \"result\": \"zz\", \"error\": null},\n" +
                        "{\"result\":\"00fF10\",\"error\":null,\"id\":" + id(0) + "}," +
                        "{\"result\":null,\"error\":{\"code\":-5,\"message\":\"Block " +
                        (plain ? "not found" : "not\\/found") + "\"},\"id\":" + id(1) + "}," +
                        "{\"result\":7,\"error\":null,\"id\":" + id(3) + "}, 12 ]";
      return Http(200, out);
    });
    auto c = Client(server.Port());
    auto r = c->CallBatchHex({{"getblock", {"a", false}},
                              {"getblock", {"b", false}},
                              {"getblock", {"c", false}},
                              {"getblock", {"d", false}},
                              {"getblock", {"e", false}}});
    ASSERT_TRUE(r) << plain;
    ASSERT_EQ(r->size(), 5u);
    ASSERT_TRUE((*r)[0]) << (*r)[0].error().message;
    EXPECT_EQ(*(*r)[0], (util::Bytes{0x00, 0xff, 0x10}));
    ASSERT_FALSE((*r)[1]);
    EXPECT_EQ((*r)[1].error().code, util::ErrorCode::NotFound);
    ASSERT_FALSE((*r)[2]);
    EXPECT_NE((*r)[2].error().message.find("malformed hex"), std::string::npos) << (*r)[2].error().message;
    ASSERT_FALSE((*r)[3]);
    EXPECT_NE((*r)[3].error().message.find("did not return hex"), std::string::npos);
    ASSERT_FALSE((*r)[4]);
    EXPECT_NE((*r)[4].error().message.find("no answer"), std::string::npos);
  }
}

TEST(RpcClientTest, BatchReplyReaderDeclinesWhatItDoesNotRead) {
  using bitcoin::rpc::SplitBatchReply;
  auto parts = SplitBatchReply(R"([{"result":"ab","error":null,"id":1,"other":[1,{"x":"y"}]}, [], "s"])");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ(*(*parts)[0].result_text, "ab");
  EXPECT_EQ((*parts)[0].id, 1);
  EXPECT_FALSE((*parts)[1].is_object);
  for (const char* text :
       {R"([{"result":"a\u0062","id":1}])", R"([{"result":"a","result":"b"}])", R"([{"id":1}] x)", R"([{"id":tru}])",
        R"([{"id":1,}])", "[", R"({"result":"ab"})", "[\"caf\xc3\xa9\"]", R"([{"id":12abc}])"}) {
    EXPECT_FALSE(SplitBatchReply(text)) << text;
  }
}

TEST(RpcClientTest, BadCredentialsAreUnauthorized) {
  CannedServer server([](const std::string&) { return Http(401, ""); });
  auto r = Client(server.Port())->GetBlockCount();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Unauthorized);
  EXPECT_NE(r.error().message.find("credentials"), std::string::npos);
  EXPECT_EQ(server.Requests(), 1);  // not retried
}

TEST(RpcClientTest, UnreachableNodeIsUnavailable) {
  uint16_t port;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  auto r = Client(port)->GetBlockCount();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("cannot reach"), std::string::npos);
}

TEST(RpcClientTest, SilentNodeTimesOut) {
  CannedServer server(nullptr, /*silent=*/true);
  auto start = std::chrono::steady_clock::now();
  auto r = Client(server.Port())->GetBlockCount();
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Timeout);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(RpcClientTest, NonJsonAnswerIsCorruption) {
  CannedServer server([](const std::string&) { return Http(200, "<html>hello</html>"); });
  auto r = Client(server.Port())->GetBlockCount();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Corruption);
}

TEST(RpcClientTest, MissingTransactionIndexIsExplained) {
  CannedServer server([](const std::string& body) {
    auto req = nlohmann::json::parse(body);
    nlohmann::json out = nlohmann::json::array();
    for (auto& call : req) {
      out.push_back({{"result", nullptr},
                     {"error", {{"code", -5}, {"message", "No such mempool transaction. Use -txindex or provide a block hash"}}},
                     {"id", call["id"]}});
    }
    return Http(200, out.dump());
  });
  Hash256 txid;
  auto r = Client(server.Port())->GetRawTransactions(std::vector<Hash256>{txid});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("transaction index"), std::string::npos);
}

TEST(RpcClientTest, BusyNodeIsRetried) {
  std::atomic<int> calls{0};
  CannedServer server([&](const std::string& body) {
    if (calls++ == 0) return Http(503, "");
    auto req = nlohmann::json::parse(body);
    return Http(200, nlohmann::json({{"result", 7}, {"error", nullptr}, {"id", req["id"]}}).dump());
  });
  auto r = Client(server.Port())->GetBlockCount();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, 7u);
}

TEST(RpcClientTest, RejectsBadUrls) {
  EXPECT_FALSE(RpcClient::Create("127.0.0.1:8332"));
  EXPECT_FALSE(RpcClient::Create("ftp://u:p@127.0.0.1:8332"));
  // https (a TLS proxy in front of the node) is spoken.
  EXPECT_TRUE(RpcClient::Create("https://u:p@127.0.0.1:8332"));
}

}  // namespace
}  // namespace blockstack::bitcoin::rpc
