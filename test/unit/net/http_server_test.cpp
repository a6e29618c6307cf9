#include <net/http_server.h>

#include <net/http_client.h>
#include <testutil/certificates.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include <unistd.h>

namespace blockstack::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A raw client: writes bytes, reads until the server closes or `until` appears.
class RawClient {
 public:
  // from: the local address to connect from (any of 127.0.0.0/8 works on Linux).
  explicit RawClient(uint16_t port, const char* from = nullptr) : m_socket(m_ioc) {
    if (from) {
      m_socket.open(tcp::v4());
      m_socket.bind(tcp::endpoint(asio::ip::make_address(from), 0));
    }
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
    o.header_timeout = std::chrono::milliseconds(400);
    o.body_timeout = std::chrono::milliseconds(400);
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

// A server with options set by the test, recording what its handler saw.
class LimitsTest : public ::testing::Test {
 protected:
  void Start(ServerOptions o) {
    server = std::move(*HttpServer::Start(
        "127.0.0.1", 0,
        [this](const Request& req) {
          calls++;
          if (!req.body_file.empty()) {
            std::ifstream in(req.body_file, std::ios::binary);
            spooled_file = req.body_file;
            spooled = std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          }
          return Echo(req);
        },
        o));
  }
  static std::string Get() { return "GET / HTTP/1.1\r\nHost: x\r\n\r\n"; }
  std::unique_ptr<HttpServer> server;
  std::atomic<int> calls{0};
  std::string spooled;
  std::string spooled_file;
};

std::optional<Response> NeedsToken(const Request& req) {
  if (req.Header("authorization").empty()) return Response::Json(401, {{"error", "no token"}});
  return std::nullopt;
}

TEST_F(LimitsTest, CheckHeadAnswersBeforeTheBodyIsRead) {
  ServerOptions o;
  o.max_body_bytes = 50 * 1024 * 1024;
  o.check_head = NeedsToken;
  Start(o);
  RawClient c(server->Port());
  // Announces 40 MB and sends none of it: the refusal comes at once.
  c.Write("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 40000000\r\n\r\n");
  std::string r = c.ReadUntil("}");
  EXPECT_NE(r.find("HTTP/1.1 401"), std::string::npos);
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  EXPECT_EQ(calls, 0);
  // With a token the body is read and the handler called.
  RawClient d(server->Port());
  d.Write("POST /up HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_NE(d.ReadUntil("}").find("\"body\":\"abc\""), std::string::npos);
  EXPECT_EQ(calls, 1);
}

TEST_F(LimitsTest, ExpectContinueIsAnsweredOnlyWhenTheHeadPasses) {
  ServerOptions o;
  o.check_head = NeedsToken;
  Start(o);
  RawClient c(server->Port());
  c.Write("POST /up HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_NE(c.ReadUntil("\r\n\r\n").find("HTTP/1.1 100 Continue\r\n\r\n"), std::string::npos);
  c.Write("abc");
  EXPECT_NE(c.ReadUntil("}").find("\"body\":\"abc\""), std::string::npos);
  RawClient d(server->Port());
  d.Write("POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  std::string r = d.ReadUntil("}");
  EXPECT_EQ(r.find("100 Continue"), std::string::npos);
  EXPECT_NE(r.find("HTTP/1.1 401"), std::string::npos);
}

TEST_F(LimitsTest, BodiesInFlightAreBounded) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  o.max_body_bytes_in_flight = 1500;
  Start(o);
  RawClient a(server->Port());
  a.Write("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npart");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RawClient b(server->Port());
  b.Write("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  std::string r = b.ReadUntil("}");
  EXPECT_NE(r.find("HTTP/1.1 503"), std::string::npos);
  EXPECT_NE(r.find("Retry-After: "), std::string::npos);
  // Once the first body is in, its share is given back.
  a.Write(std::string(996, 'x'));
  EXPECT_NE(a.ReadUntil("}").find("HTTP/1.1 200"), std::string::npos);
  RawClient c(server->Port());
  c.Write("POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'y'));
  EXPECT_NE(c.ReadUntil("}").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(LimitsTest, LargeBodiesAreSpooledToAFileThatIsRemovedAfterwards) {
  auto dir = std::filesystem::temp_directory_path() / ("spool-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ServerOptions o;
  o.spool_dir = dir.string();
  o.spool_threshold = 10;
  Start(o);
  RawClient c(server->Port());
  c.Write("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nsmall");
  EXPECT_NE(c.ReadUntil("}").find("\"body\":\"small\""), std::string::npos);
  EXPECT_TRUE(spooled_file.empty());
  c.Clear();
  std::string big(5000, 'z');
  c.Write("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + big);
  EXPECT_NE(c.ReadUntil("}").find("\"body\":\"\""), std::string::npos);
  EXPECT_EQ(spooled, big);
  EXPECT_FALSE(spooled_file.empty());
  EXPECT_FALSE(std::filesystem::exists(spooled_file));
  // Chunked bodies (no length given) are spooled as well.
  c.Clear();
  c.Write("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  c.ReadUntil("}");
  EXPECT_EQ(spooled, "abcde");
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST_F(LimitsTest, OneAddressCannotTakeEveryConnection) {
  ServerOptions o;
  o.max_connections_per_address = 3;
  Start(o);
  // Three busy connections (each sending a body) from one address: a fourth is refused.
  std::vector<std::unique_ptr<RawClient>> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<RawClient>(server->Port(), "127.0.0.2"));
    busy.back()->Write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RawClient refused(server->Port(), "127.0.0.2");
  EXPECT_TRUE(refused.Closed());
  RawClient other(server->Port(), "127.0.0.1");
  other.Write(Get());
  EXPECT_NE(other.ReadUntil("}").find("HTTP/1.1 200"), std::string::npos);
  // Three idle ones: the longest-waiting makes room for a fourth from the same address.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<RawClient>(server->Port(), "127.0.0.3"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  RawClient fourth(server->Port(), "127.0.0.3");
  fourth.Write(Get());
  EXPECT_NE(fourth.ReadUntil("}").find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(idle.front()->Closed());
}

TEST_F(LimitsTest, WhenFullTheLongestWaitingConnectionMakesRoom) {
  ServerOptions o;
  o.max_connections = 4;
  o.header_timeout = std::chrono::milliseconds(20000);
  Start(o);
  // A request being answered is never evicted; one waiting for its head is.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<RawClient>(server->Port()));
    idle.back()->Write("GET / HT");  // never finished
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  RawClient fresh(server->Port());
  fresh.Write(Get());
  EXPECT_NE(fresh.ReadUntil("}").find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(idle.front()->Closed());
}

TEST_F(LimitsTest, TheBodyHasItsOwnDeadline) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  o.body_timeout = std::chrono::milliseconds(3000);
  Start(o);
  RawClient c(server->Port());
  c.Write("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n");
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    c.Write("b");
  }
  EXPECT_NE(c.ReadUntil("}").find("\"body\":\"bbbbbb\""), std::string::npos);
  // The head alone is cut off at its own, shorter deadline.
  RawClient slow(server->Port());
  auto start = std::chrono::steady_clock::now();
  slow.Write("POST /a HTTP/1.1\r\n");
  EXPECT_TRUE(slow.Closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));
}

TEST(HttpServerStartTest, BusyPortIsUnavailable) {
  auto a = HttpServer::Start("127.0.0.1", 0, Echo);
  ASSERT_TRUE(a);
  auto b = HttpServer::Start("127.0.0.1", (*a)->Port(), Echo);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, util::ErrorCode::Unavailable);
  EXPECT_FALSE(HttpServer::Start("not-an-ip", 0, Echo));
}

// A streamed body goes out piece by piece with the full Content-Length; a piece
// that fails ends the connection short of it, so the client never takes a
// truncated body for the whole one. Pieces are read on the worker pool.
TEST(StreamedBodyTest, PiecesGoOutInOrderAndAFailureCutsTheAnswerShort) {
  const std::size_t size = 3 * 1024 * 1024 + 123;
  std::atomic<int> reads{0};
  auto handler = [&](const Request& req) {
    Response res;
    const bool broken = req.path == "/broken";
    res.streamed = std::make_shared<StreamedBody>(
        StreamedBody{size, [&reads, broken](uint64_t offset, std::size_t length) -> util::Result<std::string> {
                       ++reads;
                       if (broken && offset > 0) return util::Fail(util::ErrorCode::IoError, "the disk went away");
                       std::string piece(length, '\0');
                       for (std::size_t i = 0; i < length; ++i) piece[i] = static_cast<char>('a' + (offset + i) % 26);
                       return piece;
                     }});
    return res;
  };
  ServerOptions o;
  o.worker_threads = 2;
  auto server = std::move(*HttpServer::Start("127.0.0.1", 0, handler, o));
  auto client = std::move(*HttpClient::Create("http://127.0.0.1:" + std::to_string(server->Port())));
  for (int round = 0; round < 2; ++round) {  // and again on the kept-alive connection
    auto res = client->Send("GET", "/whole");
    ASSERT_TRUE(res) << res.error().message;
    ASSERT_EQ(res->body.size(), size);
    for (std::size_t i = 0; i < size; i += 4099) ASSERT_EQ(res->body[i], static_cast<char>('a' + i % 26)) << i;
  }
  EXPECT_EQ(reads.load(), 8);  // four 1 MiB pieces each time
  // HEAD: the length, no body, nothing read.
  auto head = client->Send("HEAD", "/whole");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("content-length"), std::to_string(size));
  EXPECT_EQ(reads.load(), 8);
  RawClient raw(server->Port());
  raw.Write("GET /broken HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(raw.Closed());
  std::string got = raw.ReadUntil("\x01never\x02");
  EXPECT_NE(got.find("Content-Length: " + std::to_string(size)), std::string::npos);
  EXPECT_LT(got.size() - got.find("\r\n\r\n") - 4, size);
}

// HTTPS: a client that trusts the certificate is served over TLS, keep-alive and
// all; a plain-HTTP client on the TLS port gets no HTTP answer; a client that
// never finishes the handshake is cut off like one that never sends a head.
class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert = testutil::MakeSelfSignedCertificate("127.0.0.1");
    // https clients keep a CA file's contents by its path: each test has its own.
    static int counter = 0;
    ca_file = (std::filesystem::temp_directory_path() /
               ("tls-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".pem"))
                  .string();
    std::ofstream(ca_file) << cert.cert_pem;
  }
  void TearDown() override { std::filesystem::remove(ca_file); }
  std::unique_ptr<HttpServer> Serve(TlsOptions tls) {
    ServerOptions o;
    o.header_timeout = std::chrono::milliseconds(400);
    o.tls = std::move(tls);
    auto server = HttpServer::Start("127.0.0.1", 0, Echo, o);
    EXPECT_TRUE(server) << (server ? "" : server.error().message);
    return server ? std::move(*server) : nullptr;
  }
  std::unique_ptr<HttpClient> Client(uint16_t port) {
    HttpClientOptions options;
    options.ca_file = ca_file;
    return std::move(*HttpClient::Create("https://127.0.0.1:" + std::to_string(port), options));
  }
  testutil::TestCertificate cert;
  std::string ca_file;
};

TEST_F(TlsServerTest, ServesRequestsOverTls) {
  auto server = Serve({.cert_chain_pem = cert.cert_pem, .key_pem = cert.key_pem, .pkcs12 = "", .passphrase = ""});
  ASSERT_TRUE(server);
  auto client = Client(server->Port());
  for (int i = 0; i < 3; ++i) {
    auto res = client->Send("POST", "/tls?x=" + std::to_string(i), {}, "hello");
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->status, 200u);
    auto j = nlohmann::json::parse(res->body);
    EXPECT_EQ(j["body"], "hello");
    EXPECT_EQ(j["query"]["x"], std::to_string(i));
  }
  // Plain HTTP on the TLS port: no HTTP answer, the connection closes.
  RawClient raw(server->Port());
  raw.Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(raw.Closed());
  EXPECT_EQ(raw.ReadUntil("HTTP/1.1 200").find("HTTP/1.1 200"), std::string::npos);
  // A client that connects and never says hello is cut off at header_timeout.
  RawClient silent(server->Port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.Closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(TlsServerTest, AnEncryptedKeyOrPkcs12FileWithItsPassphraseWorks) {
  // The PKCS#12 file carries `cert` (trusted by ca_file); the locked key is
  // another certificate's, trusted through a second file.
  auto locked = testutil::MakeSelfSignedCertificate("127.0.0.1", "sesame");
  std::string locked_ca = ca_file + ".locked";
  std::ofstream(locked_ca) << locked.cert_pem;
  auto server =
      Serve({.cert_chain_pem = locked.cert_pem, .key_pem = locked.key_pem, .pkcs12 = "", .passphrase = "sesame"});
  ASSERT_TRUE(server);
  HttpClientOptions options;
  options.ca_file = locked_ca;
  auto res = (*HttpClient::Create("https://127.0.0.1:" + std::to_string(server->Port()), options))->Send("GET", "/");
  std::filesystem::remove(locked_ca);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200u);

  auto p12 =
      Serve({.cert_chain_pem = "", .key_pem = "", .pkcs12 = testutil::ToPkcs12(cert, "pfx"), .passphrase = "pfx"});
  ASSERT_TRUE(p12);
  res = Client(p12->Port())->Send("GET", "/");
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200u);
}

TEST_F(TlsServerTest, AnUnusableCertificateOrKeyFailsTheStart) {
  auto other = testutil::MakeSelfSignedCertificate("127.0.0.1");
  auto locked = testutil::MakeSelfSignedCertificate("127.0.0.1", "sesame");
  struct Case {
    const char* what;
    TlsOptions tls;
    const char* says;
  };
  std::vector<Case> cases{
      {"garbage certificate",
       {.cert_chain_pem = "junk", .key_pem = cert.key_pem, .pkcs12 = "", .passphrase = ""},
       "certificate cannot be read"},
      {"no key",
       {.cert_chain_pem = cert.cert_pem, .key_pem = "", .pkcs12 = "", .passphrase = ""},
       "private key cannot be read"},
      {"another certificate's key",
       {.cert_chain_pem = cert.cert_pem, .key_pem = other.key_pem, .pkcs12 = "", .passphrase = ""},
       "does not match the certificate"},
      {"wrong passphrase",
       {.cert_chain_pem = locked.cert_pem, .key_pem = locked.key_pem, .pkcs12 = "", .passphrase = "open"},
       "wrong passphrase"},
      {"garbage PKCS#12",
       {.cert_chain_pem = "", .key_pem = "", .pkcs12 = "junk", .passphrase = ""},
       "PKCS#12 file cannot be read"},
      {"PKCS#12 with the wrong passphrase",
       {.cert_chain_pem = "", .key_pem = "", .pkcs12 = testutil::ToPkcs12(cert, "pfx"), .passphrase = "nope"},
       "wrong passphrase"},
  };
  for (const auto& c : cases) {
    ServerOptions o;
    o.tls = c.tls;
    auto server = HttpServer::Start("127.0.0.1", 0, Echo, o);
    ASSERT_FALSE(server) << c.what;
    EXPECT_EQ(server.error().code, util::ErrorCode::InvalidArgument) << c.what;
    EXPECT_NE(server.error().message.find(c.says), std::string::npos) << c.what << ": " << server.error().message;
  }
}

}  // namespace
}  // namespace blockstack::net
