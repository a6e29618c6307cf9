#include <net/http_server.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <thread>

#include <util/url.h>

namespace blockstack::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const std::string& Request::Header(const std::string& lowercase_name) const {
  static const std::string EMPTY;
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? EMPTY : it->second;
}

Response Response::Json(unsigned status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  // Strings from the chain or peers (zone files) need not be UTF-8: invalid bytes
  // become U+FFFD rather than failing the answer.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

Response Response::Text(unsigned status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

namespace {

// Splits target into a decoded path and query map. Returns false on a malformed
// percent escape.
bool ParseTarget(std::string_view target, Request& req) {
  auto q = target.find('?');
  auto path = util::PercentDecode(target.substr(0, q));
  if (!path) return false;
  req.path = std::move(*path);
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key_raw(pair.substr(0, eq));
    std::string value_raw(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    for (auto* s : {&key_raw, &value_raw}) {
      for (auto& c : *s) {
        if (c == '+') c = ' ';
      }
    }
    auto key = util::PercentDecode(key_raw);
    auto value = util::PercentDecode(value_raw);
    if (!key || !value) return false;
    if (!req.query.emplace(*key, *value).second) req.repeated_query_key = true;
  }
  return true;
}

}  // namespace

struct HttpServer::Impl {
  // Declared before the io_contexts: sessions still queued in them when they are
  // destroyed touch these in their destructors.
  Handler handler;
  ServerOptions options;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopped{false};
  uint16_t port = 0;
  std::vector<std::unique_ptr<asio::io_context>> loops;  // one per network thread
  std::atomic<std::size_t> next_loop{0};
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
  static constexpr std::size_t LARGE_BODY = 4096;
  static constexpr std::size_t READ_CHUNK = 64 * 1024;

 public:
  Session(tcp::socket socket, HttpServer::Impl& server) : m_stream(std::move(socket)), m_server(server) {}
  ~Session() { m_server.connections--; }

  void Start() { ReadRequest(true); }

 private:
  void ReadRequest(bool first) {
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(m_server.options.max_header_bytes));
    m_parser->body_limit(m_server.options.max_body_bytes);
    // One deadline covers the wait for the request and its transfer: a slow sender
    // cannot hold the connection open. Between requests the idle timeout applies.
    m_stream.expires_after(first ? m_server.options.request_timeout
                                 : std::max(m_server.options.idle_timeout, m_server.options.request_timeout));
    http::async_read_header(m_stream, m_buffer, *m_parser,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Beast reads as much as the buffer has room for, at least 512 bytes: a large
  // body came in a few hundred bytes per system call until room was set aside for
  // it. Only connections that send such bodies keep the larger buffer.
  void OnHeader(beast::error_code ec, std::size_t bytes) {
    if (ec || m_parser->is_done()) return OnRead(ec, bytes);
    auto length = m_parser->content_length();
    if ((!length || *length > LARGE_BODY) && m_buffer.capacity() < READ_CHUNK) m_buffer.reserve(READ_CHUNK);
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) return SendError(413, "request body too large");
    if (ec == http::error::header_limit) return SendError(431, "request headers too large");
    if (ec) return SendError(400, "malformed request");

    auto msg = m_parser->release();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    if (!m_remote_known) {
      // Once per connection: the peer does not change.
      beast::error_code ep_ec;
      auto ep = m_stream.socket().remote_endpoint(ep_ec);
      if (!ep_ec) m_remote_ip = ep.address().to_string();
      m_remote_known = true;
    }
    req.remote_ip = m_remote_ip;
    if (!ParseTarget(req.target, req)) return SendError(400, "malformed request target");
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace(std::move(name), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    m_keep_alive = msg.keep_alive();
    bool head = req.method == "HEAD";

    if (m_server.workers && (!m_server.options.offload || m_server.options.offload(req))) {
      // The worker answers, then hands the response back to this connection's loop.
      asio::post(*m_server.workers, [self = shared_from_this(), req = std::move(req), head]() mutable {
        Response res = self->Call(req);
        auto executor = self->m_stream.get_executor();
        asio::post(executor, [self = std::move(self), res = std::move(res), head]() mutable {
          self->Send(std::move(res), self->m_keep_alive, head);
        });
      });
      return;
    }
    Send(Call(req), m_keep_alive, head);
  }

  Response Call(const Request& req) {
    try {
      return m_server.handler(req);
    } catch (const std::exception& e) {
      spdlog::error("HTTP handler failed on {} {}: {}", req.method, req.target, e.what());
      return Response::Json(500, {{"error", "internal error"}});
    }
  }

  void SendError(unsigned status, const char* message) {
    m_keep_alive = false;
    const auto& render = m_server.options.error_response;
    Send(render ? render(status, message) : Response::Json(status, {{"error", message}}), false, false);
  }

  // Serialises the response head by hand into one buffer and writes it with the
  // body in a single gathered write: cheaper than Beast's generic serializer.
  void Send(Response res, bool keep_alive, bool head) {
    keep_alive = keep_alive && !m_server.stopped;
    bool bodyless = res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
    m_head.clear();
    m_head.append("HTTP/1.1 ").append(std::to_string(res.status)).append(" ");
    auto reason = http::obsolete_reason(static_cast<http::status>(res.status));
    m_head.append(reason.data(), reason.size()).append("\r\n");
    for (const auto& [k, v] : res.headers) {
      // Header values never carry line breaks into the response.
      if (k.find_first_of("\r\n") != std::string::npos || v.find_first_of("\r\n") != std::string::npos) continue;
      m_head.append(k).append(": ").append(v).append("\r\n");
    }
    if (!bodyless) m_head.append("Content-Length: ").append(std::to_string(res.body.size())).append("\r\n");
    if (!keep_alive) m_head.append("Connection: close\r\n");
    m_head.append("\r\n");
    m_body = (head || bodyless) ? std::string() : std::move(res.body);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(m_head), asio::buffer(m_body)};
    m_stream.expires_after(m_server.options.request_timeout);
    asio::async_write(m_stream, buffers, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec || !keep_alive) return self->Close();
      self->ReadRequest(false);
    });
  }

  void Close() {
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    m_stream.close();
  }

  beast::tcp_stream m_stream;
  HttpServer::Impl& m_server;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::string m_head;  // the response being written: head and body
  std::string m_body;
  bool m_keep_alive = false;
  bool m_remote_known = false;
  std::string m_remote_ip;
};

}  // namespace

void HttpServer::Impl::Accept() {
  // Each connection lives on one loop (one thread), chosen round-robin.
  auto& loop = *loops[next_loop++ % loops.size()];
  acceptor->async_accept(loop, [this](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      if (connections >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        connections++;
        // Answers go out in more than one write; without this, Nagle's algorithm
        // holds the last one until the client's delayed ACK (tens of ms).
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
    }
    Accept();
  });
}

util::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& host, uint16_t port, Handler handler,
                                                            ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->options = options;
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, threads);
  for (int i = 0; i < threads; ++i) impl->loops.push_back(std::make_unique<asio::io_context>(1));
  if (options.worker_threads > 0) {
    impl->workers = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(options.worker_threads));
  }
  impl->acceptor = std::make_unique<tcp::acceptor>(*impl->loops[0]);
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return util::Fail(util::ErrorCode::InvalidArgument, "invalid listen address '" + host + "'");
  tcp::endpoint endpoint(address, port);
  impl->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return util::Fail(util::ErrorCode::Unavailable,
                      "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  impl->port = impl->acceptor->local_endpoint().port();
  impl->Accept();
  for (auto& loop : impl->loops) {
    // A work guard keeps an idle loop running until Stop.
    impl->threads.emplace_back([loop = loop.get()] {
      auto guard = asio::make_work_guard(*loop);
      loop->run();
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::Port() const { return m_impl->port; }

void HttpServer::Stop() {
  if (m_impl->stopped.exchange(true)) return;
  asio::post(*m_impl->loops[0], [impl = m_impl.get()] {
    beast::error_code ignored;
    impl->acceptor->close(ignored);
  });
  // Handlers already running finish; their answers are dropped with the loops.
  if (m_impl->workers) m_impl->workers->join();
  for (auto& loop : m_impl->loops) loop->stop();
  for (auto& t : m_impl->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace blockstack::net
