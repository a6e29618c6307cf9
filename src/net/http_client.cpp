#include <net/http_client.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include <util/text.h>
#include <tuple>

namespace blockstack::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
using asio::ip::tcp;
using util::ErrorCode;
using util::Fail;

namespace {

// A response body read into a string by appending. beast's string_body grows its
// string with resize, which writes zeros over each byte before copying it in: a
// fifth of the time of taking a Bitcoin node's megabytes of block hex.
struct AppendStringBody {
  using value_type = std::string;
  static std::uint64_t size(const value_type& v) { return v.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : m_body(body) {}

    // The parser has already held a declared length to its body limit.
    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      ec = {};
      if (!length) return;
      if (*length > m_body.max_size()) {
        ec = http::error::buffer_overflow;
        return;
      }
      m_body.reserve(static_cast<std::size_t>(*length));
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      std::size_t n = 0;
      for (const auto b : beast::buffers_range_ref(buffers)) {
        m_body.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      return n;
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& m_body;
  };
};

using Response = http::response<AppendStringBody>;
using ResponseParser = http::response_parser<AppendStringBody>;

std::mutex g_trust_mutex;
std::string g_default_ca_file;
std::map<std::pair<std::string, uint16_t>, std::pair<std::string, uint16_t>> g_connect_to;  // under g_trust_mutex

// One TLS context per trust setting, shared by every client: loading the system
// store costs milliseconds, and a context is safe to share once set up.
util::Result<std::shared_ptr<asio::ssl::context>> TlsContext(const std::string& ca_file) {
  static std::map<std::string, std::shared_ptr<asio::ssl::context>> contexts;
  std::lock_guard lock(g_trust_mutex);
  const std::string& file = ca_file.empty() ? g_default_ca_file : ca_file;
  auto it = contexts.find(file);
  if (it != contexts.end()) return it->second;
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  beast::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  if (file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return Fail(ErrorCode::Unavailable, "cannot load the system's CA certificates: " + ec.message());
  } else {
    ctx->load_verify_file(file, ec);
    if (ec) return Fail(ErrorCode::InvalidArgument, "cannot load CA file " + file + ": " + ec.message());
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  contexts.emplace(file, ctx);
  return ctx;
}

}  // namespace

void SetDefaultCaFile(std::string path) {
  std::lock_guard lock(g_trust_mutex);
  g_default_ca_file = std::move(path);
}

void SetConnectTo(std::string host, uint16_t port, std::string to_host, uint16_t to_port) {
  std::lock_guard lock(g_trust_mutex);
  g_connect_to[{std::move(host), port}] = {std::move(to_host), to_port};
}

util::Status AddConnectTo(std::string_view spec) {
  const auto bad = [&] {
    return Fail(ErrorCode::InvalidArgument,
                "--connect-to wants HOST:PORT:TO_HOST:TO_PORT, not '" + std::string(spec) + "'");
  };
  const auto parts = util::SplitList(spec, ':');
  if (parts.size() != 4) return bad();
  auto port = util::ParseDecimal(parts[1], 65535, 5);
  auto to_port = util::ParseDecimal(parts[3], 65535, 5);
  if (!port || !to_port || *port == 0 || *to_port == 0) return bad();
  SetConnectTo(std::string(parts[0]), static_cast<uint16_t>(*port), std::string(parts[2]),
               static_cast<uint16_t>(*to_port));
  return util::Ok();
}

const std::string& HttpResponse::Header(const std::string& lowercase_name) const {
  static const std::string EMPTY;
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? EMPTY : it->second;
}

// Operations are asynchronous on a private io_context that is run until each
// finishes, so the stream's deadline applies to every step.
struct HttpClient::Connection {
  static constexpr std::size_t READ_CHUNK = 64 * 1024;
  asio::io_context ioc;
  // Exactly one of the two while connected: plain for http, tls for https.
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::shared_ptr<asio::ssl::context> tls_context;
  beast::flat_buffer buffer;

  bool Connected() const { return plain.has_value() || tls.has_value(); }
  beast::tcp_stream& Tcp() { return plain ? *plain : beast::get_lowest_layer(*tls); }
  // Calls f with the stream HTTP is spoken over.
  template <typename F>
  void With(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }

  void Close() {
    if (Connected()) {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      Tcp().close();
    }
    plain.reset();
    tls.reset();
    buffer.clear();
  }

  void Run() {
    ioc.restart();
    ioc.run();
  }

  util::Status Connect(const util::Url& url, const HttpClientOptions& options) {
    const std::string peer = options.peer_name + " at " + url.Origin();
    Close();
    std::string host = url.host;
    uint16_t port = url.port;
    {
      std::lock_guard lock(g_trust_mutex);
      if (auto it = g_connect_to.find({url.host, url.port}); it != g_connect_to.end()) {
        std::tie(host, port) = it->second;
      }
    }
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(host, std::to_string(port), [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      endpoints = std::move(r);
    });
    Run();
    if (ec) return Fail(ErrorCode::Unavailable, "cannot resolve " + host + ": " + ec.message());
    if (url.scheme == "https") {
      if (!tls_context) {
        BS_TRY(tls_context, TlsContext(options.ca_file));
      }
      tls.emplace(ioc, *tls_context);
    } else {
      plain.emplace(ioc);
    }
    Tcp().expires_after(options.timeout);
    Tcp().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec) {
      Close();
      if (ec == beast::error::timeout) return Fail(ErrorCode::Timeout, "timed out connecting to " + peer);
      return Fail(ErrorCode::Unavailable, "cannot reach " + peer + ": " + ec.message());
    }
    if (tls) BS_CHECK_OK(Handshake(url, peer, options));
    // Beast reads as much as the buffer has room for (at least 512 bytes): without
    // room set aside a large answer came in a few hundred bytes per system call.
    buffer.reserve(READ_CHUNK);
    // Requests with a body go out in two writes (header, body): no Nagle delay.
    beast::error_code ignored;
    Tcp().socket().set_option(tcp::no_delay(true), ignored);
    return util::Ok();
  }

  // The certificate must chain to a trusted CA and name the host (SNI is sent).
  util::Status Handshake(const util::Url& url, const std::string& peer, const HttpClientOptions& options) {
    if (!SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str())) {
      Close();
      return Fail(ErrorCode::Unavailable, "cannot set the TLS server name for " + peer);
    }
    tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
    beast::error_code ec;
    Tcp().expires_after(options.timeout);
    tls->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    Run();
    if (!ec) return util::Ok();
    Close();
    if (ec == beast::error::timeout) return Fail(ErrorCode::Timeout, "timed out in the TLS handshake with " + peer);
    return Fail(ErrorCode::Unavailable, "TLS handshake with " + peer + " failed (" + ec.message() +
                                            "); is the certificate valid for " + url.host +
                                            " and signed by a trusted CA? (--ca-file adds one)");
  }

  // Reads the answer piece by piece under the overall deadline, while a timer
  // checks its average rate from the first byte on and cancels a read that has
  // fallen below it.
  beast::error_code ReadAtRate(ResponseParser& parser, const HttpClientOptions& options, bool& too_slow) {
    using Clock = std::chrono::steady_clock;
    using std::chrono::milliseconds;
    asio::steady_timer timer(ioc);
    std::optional<Clock::time_point> first;
    std::size_t bytes = 0;
    beast::error_code result;
    bool done = false;
    std::function<void()> arm = [&] {
      auto due = *first + std::max(options.min_rate_grace, milliseconds((bytes + 1) * 1000 / options.min_rate));
      timer.expires_at(due);
      timer.async_wait([&](beast::error_code e) {
        if (e || done) return;
        auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - *first);
        if (elapsed >= options.min_rate_grace &&
            bytes * 1000 < options.min_rate * static_cast<std::size_t>(elapsed.count())) {
          too_slow = true;
          Tcp().cancel();
          return;
        }
        arm();
      });
    };
    std::function<void()> read_more = [&] {
      auto on_read = [&](beast::error_code e, std::size_t n) {
        if (n > 0 && !first) {
          first = Clock::now();
          arm();
        }
        bytes += n;
        if (e || parser.is_done()) {
          result = e;
          done = true;
          timer.cancel();
          return;
        }
        read_more();
      };
      With([&](auto& stream) { http::async_read_some(stream, buffer, parser, on_read); });
    };
    read_more();
    Run();
    if (too_slow) return beast::error::timeout;
    return result;
  }

  util::Result<Response> RoundTrip(const http::request<http::string_body>& req, const util::Url& url,
                                   const HttpClientOptions& options) {
    const std::string peer = options.peer_name + " at " + url.Origin();
    beast::error_code ec;
    Tcp().expires_after(options.timeout);
    With([&](auto& stream) { http::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; }); });
    Run();
    if (ec) {
      Close();
      if (ec == beast::error::timeout) return Fail(ErrorCode::Timeout, "timed out sending to " + peer);
      return Fail(ErrorCode::IoError, "connection to " + peer + " failed while sending: " + ec.message());
    }
    ResponseParser parser;
    parser.body_limit(options.max_response_bytes);
    // An answer to HEAD carries the Content-Length of a body it does not send:
    // the parser must not wait for that body (the S3 driver stats with HEAD).
    parser.skip(req.method() == http::verb::head);
    Tcp().expires_after(options.timeout);
    bool too_slow = false;
    if (options.min_rate == 0) {
      With([&](auto& stream) {
        http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
      });
      Run();
    } else {
      ec = ReadAtRate(parser, options, too_slow);
    }
    if (ec) {
      Close();
      if (too_slow) {
        return Fail(ErrorCode::Timeout,
                    peer + " answered slower than " + std::to_string(options.min_rate) + " bytes/s");
      }
      if (ec == beast::error::timeout) return Fail(ErrorCode::Timeout, "timed out waiting for " + peer);
      if (ec == http::error::body_limit) return Fail(ErrorCode::TooLarge, "answer from " + peer + " too large");
      return Fail(ErrorCode::IoError, "connection to " + peer + " failed while reading: " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) Close();
    return res;
  }
};

HttpClient::HttpClient(util::Url url, HttpClientOptions options)
    : m_url(std::move(url)), m_options(options), m_conn(std::make_unique<Connection>()) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() { m_conn->Close(); }

util::Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string_view url, HttpClientOptions options) {
  BS_TRY(util::Url parsed, util::ParseUrl(url));
  if (parsed.scheme != "http" && parsed.scheme != "https") {
    return Fail(ErrorCode::InvalidArgument,
                "only http:// and https:// URLs can be fetched (got " + parsed.scheme + "://)");
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(parsed), options));
}

util::Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target,
                                            const HeaderList& headers, std::string_view body) {
  http::request<http::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  // The port only when it is not the scheme's own (RFC 9110 §7.2), as browsers send it.
  const bool default_port = m_url.port == (m_url.scheme == "https" ? 443 : 80);
  req.set(http::field::host, default_port ? m_url.host : m_url.host + ":" + std::to_string(m_url.port));
  req.set(http::field::user_agent, "blockstack-cpp");
  for (const auto& [name, value] : headers) req.set(beast::string_view(name), beast::string_view(value));
  req.keep_alive(true);
  req.body() = std::string(body);
  if (!body.empty() || method == "POST" || method == "PUT") req.prepare_payload();

  // A kept-alive connection may have been closed by the server meanwhile: one
  // immediate reconnect is part of the same attempt.
  bool reused = m_conn->Connected();
  if (!reused) BS_CHECK_OK(m_conn->Connect(m_url, m_options));
  auto res = m_conn->RoundTrip(req, m_url, m_options);
  if (!res && reused && res.error().code == ErrorCode::IoError) {
    BS_CHECK_OK(m_conn->Connect(m_url, m_options));
    res = m_conn->RoundTrip(req, m_url, m_options);
  }
  if (!res) return Fail(res.error());
  HttpResponse out;
  out.status = res->result_int();
  for (const auto& field : *res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace(std::move(name), std::string(field.value()));
  }
  out.body = std::move(res->body());
  return out;
}

}  // namespace blockstack::net
