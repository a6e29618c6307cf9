#include <net/http_server.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <util/text.h>
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

class SessionBase;

struct HttpServer::Impl {
  // Declared before the io_contexts: sessions still queued in them when they are
  // destroyed touch these in their destructors.
  Handler handler;
  ServerOptions options;
  std::atomic<bool> stopped{false};
  std::atomic<std::size_t> body_bytes_in_flight{0};
  std::atomic<uint64_t> spool_counter{0};
  uint16_t port = 0;
  std::unique_ptr<asio::ssl::context> tls;  // set: connections speak TLS

  // Every open connection, and how many each address holds.
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<SessionBase>> sessions;
  struct AddressCount {
    std::size_t open = 0;
    std::size_t evicting = 0;  // of those, told to close and still in the list
  };
  std::unordered_map<std::string, AddressCount> per_address;
  std::size_t evicting = 0;  // sessions told to close that are still in the list

  std::vector<std::unique_ptr<asio::io_context>> loops;  // one per network thread
  std::atomic<std::size_t> next_loop{0};
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;

  void Accept();
  // Registers a new connection from address, making room when the server is
  // full. False: refuse it.
  bool Admit(const std::shared_ptr<SessionBase>& session, const std::string& address);
  void Forget(std::list<std::weak_ptr<SessionBase>>::iterator slot, const std::string& address, bool evicted);
  // The session (from address, or from any) that has waited longest for a
  // request head and is not already evicted. Caller holds sessions_mutex.
  std::shared_ptr<SessionBase> OldestWaiting(const std::string* address,
                                             std::vector<std::shared_ptr<SessionBase>>& looked_at);
  // Takes n body bytes from the budget; false when it has not that many left.
  bool Reserve(std::size_t n) {
    std::size_t have = body_bytes_in_flight.load();
    do {
      if (have + n > options.max_body_bytes_in_flight) return false;
    } while (!body_bytes_in_flight.compare_exchange_weak(have, have + n));
    return true;
  }
};

namespace {

int64_t SteadyNow() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

}  // namespace

// What the server's bookkeeping (admission, eviction) sees of a connection,
// whichever stream it speaks over.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  SessionBase(HttpServer::Impl& server, std::string remote) : m_server(server), m_remote_ip(std::move(remote)) {}
  virtual ~SessionBase() {
    if (m_registered) m_server.Forget(m_slot, m_remote_ip, m_evicted);
  }
  SessionBase(const SessionBase&) = delete;
  SessionBase& operator=(const SessionBase&) = delete;

  void Registered(std::list<std::weak_ptr<SessionBase>>::iterator slot) {
    m_slot = slot;
    m_registered = true;
  }
  virtual void Start() = 0;

  // Since when the connection has waited for a request head; 0 while a request
  // is being read or answered (it must not be evicted then).
  int64_t WaitingSince() const { return m_waiting_since.load(std::memory_order_relaxed); }
  bool Evicted() const { return m_evicted; }
  const std::string& Address() const { return m_remote_ip; }
  // Closes the connection from any thread (it is being evicted). At most once;
  // the caller holds the server's sessions mutex.
  bool Evict() {
    if (m_evicted.exchange(true)) return false;
    m_server.evicting++;
    m_server.per_address[m_remote_ip].evicting++;
    PostCloseIfWaiting();
    return true;
  }

 protected:
  virtual void PostCloseIfWaiting() = 0;

  HttpServer::Impl& m_server;
  std::string m_remote_ip;
  std::atomic<int64_t> m_waiting_since{0};
  std::atomic<bool> m_evicted{false};

 private:
  bool m_registered = false;
  std::list<std::weak_ptr<SessionBase>>::iterator m_slot;
};

// One connection over Stream: beast::tcp_stream, or a TLS stream over one.
template <typename Stream>
class Session : public SessionBase {
  static constexpr std::size_t LARGE_BODY = 4096;
  static constexpr std::size_t READ_CHUNK = 64 * 1024;
  static constexpr auto DRAIN_TIME = std::chrono::seconds(2);
  static constexpr bool TLS = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Session(tcp::socket socket, HttpServer::Impl& server, std::string remote)
      : SessionBase(server, std::move(remote)), m_stream(MakeStream(std::move(socket), server)) {}
  ~Session() override { ReleaseBody(); }

  void Start() override {
    if constexpr (TLS) {
      // The handshake counts against the time to send the first request head.
      m_waiting_since = SteadyNow();
      Lowest().expires_after(m_server.options.header_timeout);
      m_stream.async_handshake(asio::ssl::stream_base::server, [self = Self()](beast::error_code ec) {
        if (ec || self->m_evicted) return self->Close();
        self->ReadRequest(true);
      });
    } else {
      ReadRequest(true);
    }
  }

 protected:
  void PostCloseIfWaiting() override {
    asio::post(m_stream.get_executor(), [self = Self()] {
      if (self->WaitingSince() != 0) self->Close();
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, HttpServer::Impl& server) {
    if constexpr (TLS) {
      return Stream(beast::tcp_stream(std::move(socket)), *server.tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(m_stream); }
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }

  void ReadRequest(bool first) {
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(m_server.options.max_header_bytes));
    m_parser->body_limit(m_server.options.max_body_bytes);
    m_file_parser.reset();
    m_waiting_since = SteadyNow();
    Lowest().expires_after(first ? m_server.options.header_timeout
                                 : std::max(m_server.options.idle_timeout, m_server.options.header_timeout));
    http::async_read_header(m_stream, m_buffer, *m_parser, beast::bind_front_handler(&Session::OnHeader, Self()));
  }

  // Fails the read: closes quietly on a transport error, answers a protocol one.
  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) return SendError(413, "request body too large");
    if (ec == http::error::header_limit) return SendError(431, "request headers too large");
    // Spooling the body to disk failed.
    if (ec == boost::system::errc::no_space_on_device) {
      return SendError(507, "cannot take the upload: no space left on the storage device");
    }
    if (m_file_parser && ec.category() == boost::system::system_category()) {
      spdlog::error("HTTP server: cannot spool a body to {}: {}", m_req.body_file, ec.message());
      return SendError(500, "cannot take the upload: the spool file cannot be written");
    }
    SendError(400, "malformed request");
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    m_waiting_since = 0;
    if (m_evicted) return Close();
    // A read the deadline ends while the head is still incomplete is an error.
    if (ec) return OnReadError(ec);
    const auto& head = m_parser->get();
    m_req = Request{};
    m_req.method = std::string(head.method_string());
    m_req.target = std::string(head.target());
    m_req.remote_ip = m_remote_ip;
    if (!ParseTarget(m_req.target, m_req)) return SendError(400, "malformed request target");
    for (const auto& field : head) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      m_req.headers.emplace(std::move(name), std::string(field.value()));
    }
    m_keep_alive = head.keep_alive();
    if (m_parser->is_done()) return Dispatch();
    // A small body costs less to read than a hand-off to check the head: the
    // handler checks it all at once (saves a trip to the worker pool per write).
    // A client that waits for 100 Continue is answered from the head, though.
    auto length = m_parser->content_length();
    bool small = length && *length <= m_server.options.check_head_above && !m_req.headers.contains("expect");
    if (!m_server.options.check_head || small) return BeginBody();
    RunStep(
        [self = Self()]() -> std::optional<Response> {
          try {
            return self->m_server.options.check_head(self->m_req);
          } catch (const std::exception& e) {
            spdlog::error("HTTP head check failed on {} {}: {}", self->m_req.method, self->m_req.target, e.what());
            return Response::Json(500, {{"error", "internal error"}});
          }
        },
        [](const std::shared_ptr<Session>& self, std::optional<Response> answer) {
          if (!answer) return self->BeginBody();
          // The body is never read: the connection cannot carry another request.
          self->Send(std::move(*answer), false, self->m_req.method == "HEAD");
        });
  }

  // Runs step where the handler would (the worker pool or this loop), then
  // then(self, result) on this connection's loop.
  template <typename Step, typename Then>
  void RunStep(Step step, Then then) {
    if (m_server.workers && (!m_server.options.offload || m_server.options.offload(m_req))) {
      asio::post(*m_server.workers,
                 [self = Self(), step = std::move(step), then = std::move(then)]() mutable {
                   auto result = step();
                   auto executor = self->m_stream.get_executor();
                   asio::post(executor, [self = std::move(self), result = std::move(result),
                                         then = std::move(then)]() mutable { then(self, std::move(result)); });
                 });
      return;
    }
    then(Self(), step());
  }

  void BeginBody() {
    const auto& options = m_server.options;
    auto length = m_parser->content_length();
    // A chunked body of unknown size holds the most a body may be.
    std::size_t reserve = length ? static_cast<std::size_t>(*length) : options.max_body_bytes;
    if (!m_server.Reserve(reserve)) {
      m_drain = true;
      return SendError(503, "too many uploads in progress; try again shortly", "2");
    }
    m_reserved = reserve;
    auto deadline = options.body_timeout;
    if (options.min_body_rate > 0) deadline += std::chrono::milliseconds(reserve * 1000 / options.min_body_rate);
    Lowest().expires_after(deadline);
    bool spool = !options.spool_dir.empty() && (!length || *length > options.spool_threshold);
    if (spool) {
      m_req.body_file = options.spool_dir + "/body-" + std::to_string(::getpid()) + "-" +
                        std::to_string(m_server.spool_counter++) + ".tmp";
      m_file_parser.emplace(std::move(*m_parser));
      m_parser.reset();
      m_file_parser->body_limit(options.max_body_bytes);
      beast::error_code open_ec;
      m_file_parser->get().body().open(m_req.body_file.c_str(), beast::file_mode::write_new, open_ec);
      if (open_ec) {
        spdlog::error("HTTP server: cannot spool a body to {}: {}", m_req.body_file, open_ec.message());
        m_req.body_file.clear();
        m_drain = true;
        return SendError(503, "cannot take uploads now: the spool directory is not writable", "10");
      }
    } else if (m_buffer.capacity() < READ_CHUNK && (!length || *length > LARGE_BODY)) {
      // Beast reads as much as the buffer has room for, at least 512 bytes: a
      // large body came in a few hundred bytes per system call until room was set
      // aside for it. Only connections that send such bodies keep the larger buffer.
      m_buffer.reserve(READ_CHUNK);
    }
    auto expect = m_req.headers.find("expect");
    if (expect != m_req.headers.end() && util::EqualsIgnoreCase(expect->second, "100-continue") && HttpVersion() >= 11) {
      static const std::string CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(m_stream, asio::buffer(CONTINUE), [self = Self()](beast::error_code ec, std::size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  unsigned HttpVersion() const { return m_parser ? m_parser->get().version() : m_file_parser->get().version(); }

  void ReadBody() {
    if (m_file_parser) {
      if (m_buffer.capacity() < READ_CHUNK) m_buffer.reserve(READ_CHUNK);
      http::async_read(m_stream, m_buffer, *m_file_parser, beast::bind_front_handler(&Session::OnBody, Self()));
    } else {
      http::async_read(m_stream, m_buffer, *m_parser, beast::bind_front_handler(&Session::OnBody, Self()));
    }
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (m_file_parser) {
      m_file_parser->get().body().close();
      struct stat st {};
      m_req.body_size = ::stat(m_req.body_file.c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
    } else {
      m_req.body = std::move(m_parser->get().body());
      m_req.body_size = m_req.body.size();
    }
    Dispatch();
  }

  void Dispatch() {
    bool head = m_req.method == "HEAD";
    RunStep([self = Self()] { return self->Call(self->m_req); },
            [head](const std::shared_ptr<Session>& self, Response res) {
              self->ReleaseBody();
              self->Send(std::move(res), self->m_keep_alive, head);
            });
  }

  // Gives back the body's share of the budget, and removes its spool file.
  void ReleaseBody() {
    if (m_reserved) m_server.body_bytes_in_flight -= m_reserved;
    m_reserved = 0;
    if (!m_req.body_file.empty()) {
      ::unlink(m_req.body_file.c_str());
      m_req.body_file.clear();
    }
  }

  Response Call(const Request& req) {
    try {
      return m_server.handler(req);
    } catch (const std::exception& e) {
      spdlog::error("HTTP handler failed on {} {}: {}", req.method, req.target, e.what());
      return Response::Json(500, {{"error", "internal error"}});
    }
  }

  void SendError(unsigned status, const char* message, const char* retry_after = nullptr) {
    m_keep_alive = false;
    const auto& render = m_server.options.error_response;
    Response res = render ? render(status, message) : Response::Json(status, {{"error", message}});
    if (retry_after) res.With("Retry-After", retry_after);
    Send(std::move(res), false, false);
  }

  // Serialises the response head by hand into one buffer and writes it with the
  // body in a single gathered write: cheaper than Beast's generic serializer.
  void Send(Response res, bool keep_alive, bool head) {
    keep_alive = keep_alive && !m_server.stopped && !m_evicted;
    // A request answered before its body was read leaves that body unread.
    if (!keep_alive && ((m_parser && !m_parser->is_done()) || (m_file_parser && !m_file_parser->is_done())))
      m_drain = true;
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
    const uint64_t length = res.streamed ? res.streamed->size : res.body.size();
    if (!bodyless) m_head.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
    if (!keep_alive) m_head.append("Connection: close\r\n");
    m_head.append("\r\n");
    m_body = (head || bodyless) ? std::string() : std::move(res.body);
    m_streamed = (head || bodyless) ? nullptr : std::move(res.streamed);
    m_streamed_offset = 0;
    std::array<asio::const_buffer, 2> buffers{asio::buffer(m_head), asio::buffer(m_body)};
    Lowest().expires_after(m_server.options.body_timeout);
    asio::async_write(m_stream, buffers, [self = Self(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      self->AfterWrite(keep_alive);
    });
  }

  void AfterWrite(bool keep_alive) {
    if (m_streamed && m_streamed_offset < m_streamed->size) return SendPiece(keep_alive);
    m_streamed.reset();
    if (!keep_alive) return m_drain ? Drain() : Close();
    ReadRequest(false);
  }

  // The next piece of a streamed body: read where handlers run, written here.
  void SendPiece(bool keep_alive) {
    static constexpr std::size_t PIECE = 1024 * 1024;
    const std::size_t length =
        static_cast<std::size_t>(std::min<uint64_t>(PIECE, m_streamed->size - m_streamed_offset));
    auto read = [body = m_streamed, offset = m_streamed_offset, length]() -> util::Result<std::string> {
      try {
        return body->read(offset, length);
      } catch (const std::exception& e) {
        return util::Fail(util::ErrorCode::IoError, e.what());
      }
    };
    auto then = [keep_alive, length](const std::shared_ptr<Session>& self, util::Result<std::string> piece) {
      if (!piece || piece->size() != length) {
        spdlog::warn("HTTP server: a streamed answer to {} {} broke off at byte {}: {}", self->m_req.method,
                     self->m_req.target, self->m_streamed_offset,
                     piece ? "the source ended early" : piece.error().message);
        return self->Close();
      }
      self->m_body = std::move(*piece);
      self->m_streamed_offset += length;
      self->Lowest().expires_after(self->m_server.options.body_timeout);
      asio::async_write(self->m_stream, asio::buffer(self->m_body),
                        [self, keep_alive](beast::error_code ec, std::size_t) {
                          if (ec) return self->Close();
                          self->AfterWrite(keep_alive);
                        });
    };
    if (m_server.workers) {
      asio::post(*m_server.workers, [self = Self(), read = std::move(read), then = std::move(then)]() mutable {
        auto piece = read();
        auto executor = self->m_stream.get_executor();
        asio::post(executor, [self = std::move(self), piece = std::move(piece), then = std::move(then)]() mutable {
          then(self, std::move(piece));
        });
      });
      return;
    }
    then(Self(), read());
  }

  // After answering a request whose body was not read: stop sending, and read
  // (and drop) what the client still sends for a moment, so its answer is not
  // lost to a reset when the connection closes with unread data.
  void Drain() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().expires_after(DRAIN_TIME);
    DrainSome();
  }
  void DrainSome() {
    m_stream.async_read_some(asio::buffer(m_scratch), [self = Self()](beast::error_code ec, std::size_t n) {
      self->m_drained += n;
      if (ec || self->m_drained > self->m_server.options.max_body_bytes) return self->Close();
      self->DrainSome();
    });
  }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  Stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::optional<http::request_parser<http::file_body>> m_file_parser;
  Request m_req;
  std::size_t m_reserved = 0;
  std::string m_head;  // the response being written: head and body
  std::string m_body;
  std::shared_ptr<StreamedBody> m_streamed;  // the answer's body still being sent, piece by piece
  uint64_t m_streamed_offset = 0;
  bool m_keep_alive = false;
  bool m_drain = false;
  std::size_t m_drained = 0;
  std::array<char, 16 * 1024> m_scratch{};
};

std::shared_ptr<SessionBase> HttpServer::Impl::OldestWaiting(const std::string* address,
                                                             std::vector<std::shared_ptr<SessionBase>>& looked_at) {
  std::shared_ptr<SessionBase> victim;
  int64_t oldest = 0;
  for (const auto& weak : sessions) {
    auto s = weak.lock();
    if (!s) continue;
    int64_t since = s->WaitingSince();
    if (since != 0 && !s->Evicted() && (!address || s->Address() == *address) && (!victim || since < oldest)) {
      victim = s;
      oldest = since;
    }
    looked_at.push_back(std::move(s));
  }
  return victim;
}

bool HttpServer::Impl::Admit(const std::shared_ptr<SessionBase>& session, const std::string& address) {
  // Sessions locked while looking for one to evict are released after the mutex:
  // the last reference going would run a destructor that takes it.
  std::vector<std::shared_ptr<SessionBase>> looked_at;
  std::lock_guard lock(sessions_mutex);
  auto& from_address = per_address[address];
  auto refuse = [&] {
    if (from_address.open == 0) per_address.erase(address);
    return false;
  };
  // Connections already told to close are on their way out: they do not count.
  if (from_address.open - from_address.evicting >= options.max_connections_per_address) {
    // The address's own connection that has waited longest for a head (an idle
    // kept-alive one) makes room; when all of them are busy, the new one is refused.
    auto victim = OldestWaiting(&address, looked_at);
    if (!victim || !victim->Evict()) return refuse();
  } else if (sessions.size() - evicting >= options.max_connections) {
    // Full: the connection that has waited longest for a request head goes.
    auto victim = OldestWaiting(nullptr, looked_at);
    if (!victim || !victim->Evict()) return refuse();
  }
  ++from_address.open;
  sessions.push_front(session);
  session->Registered(sessions.begin());
  return true;
}

void HttpServer::Impl::Forget(std::list<std::weak_ptr<SessionBase>>::iterator slot, const std::string& address,
                              bool evicted) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(slot);
  if (evicted) evicting--;
  auto it = per_address.find(address);
  if (it == per_address.end()) return;
  if (evicted) it->second.evicting--;
  if (--it->second.open == 0) per_address.erase(it);
}

void HttpServer::Impl::Accept() {
  // Each connection lives on one loop (one thread), chosen round-robin.
  auto& loop = *loops[next_loop++ % loops.size()];
  acceptor->async_accept(loop, [this](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      beast::error_code ignored;
      auto endpoint = socket.remote_endpoint(ignored);
      std::string address = ignored ? std::string() : endpoint.address().to_string();
      // Answers go out in more than one write; without this, Nagle's algorithm
      // holds the last one until the client's delayed ACK (tens of ms).
      socket.set_option(tcp::no_delay(true), ignored);
      std::shared_ptr<SessionBase> session;
      if (tls) {
        session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), *this, address);
      } else {
        session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this, address);
      }
      if (Admit(session, address)) {
        session->Start();
      } else {
        session.reset();  // closes the socket
      }
    }
    Accept();
  });
}

namespace {

// OpenSSL's last error, for a message.
std::string TlsError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

util::Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const TlsOptions& tls) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  auto fail = [](const std::string& what) {
    return util::Fail(util::ErrorCode::InvalidArgument, "TLS: " + what + ": " + TlsError());
  };
  ERR_clear_error();
  if (!tls.pkcs12.empty()) {
    const auto* der = reinterpret_cast<const unsigned char*>(tls.pkcs12.data());
    std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(d2i_PKCS12(nullptr, &der, static_cast<long>(tls.pkcs12.size())),
                                                        &PKCS12_free);
    if (!p12) return fail("the PKCS#12 file cannot be read");
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* chain = nullptr;
    if (PKCS12_parse(p12.get(), tls.passphrase.c_str(), &key, &cert, &chain) != 1) {
      return fail("the PKCS#12 file cannot be opened (wrong passphrase?)");
    }
    bool ok = cert && key && SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    for (int i = 0; ok && chain && i < sk_X509_num(chain); ++i) {
      ok = SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i)) == 1;
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    if (!ok) return fail("the PKCS#12 file holds no usable certificate and key");
  } else {
    std::unique_ptr<BIO, decltype(&BIO_free)> certs(
        BIO_new_mem_buf(tls.cert_chain_pem.data(), static_cast<int>(tls.cert_chain_pem.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> leaf(PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr),
                                                     &X509_free);
    if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1) return fail("the certificate cannot be read");
    while (X509* more = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
      if (SSL_CTX_add0_chain_cert(ctx, more) != 1) {
        X509_free(more);
        return fail("a chain certificate cannot be used");
      }
    }
    ERR_clear_error();  // the end of the PEM stream reads as an error
    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
        BIO_new_mem_buf(tls.key_pem.data(), static_cast<int>(tls.key_pem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, const_cast<char*>(tls.passphrase.c_str())),
        &EVP_PKEY_free);
    if (!key) return fail("the private key cannot be read (wrong passphrase?)");
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) return fail("the private key does not match the certificate");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return fail("the private key does not match the certificate");
  return context;
}

}  // namespace

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
  if (options.tls) {
    auto context = MakeTlsContext(*options.tls);
    if (!context) return util::Fail(context.error());
    impl->tls = std::move(*context);
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
