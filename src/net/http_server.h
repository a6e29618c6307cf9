// An HTTP/1.1 server for the node's REST API, Atlas and the Gaia hub: Boost.Beast
// on Asio, asynchronous, keep-alive, over TCP or TLS (ServerOptions::tls). Handlers are plain functions from Request to
// Response and must be thread-safe. Each network thread runs its own event loop
// (no hand-offs between threads for a request); handlers that block (fsync,
// remote storage) can be sent to a separate pool of worker threads instead.
//
// What one client can take is bounded (doc/limits.md lists every limit):
//   - the request head must arrive within header_timeout, its body within
//     body_timeout (longer for a large body when min_body_rate is set), the next
//     request on a kept-alive connection within idle_timeout;
//   - at most max_connections_per_address connections from one address (past it,
//     that address's connection waiting longest for a request head is closed,
//     or the new one refused when none waits); when all max_connections are
//     taken, the connection that has waited longest for a request head is closed
//     to make room (a request being read or answered never is);
//   - check_head can answer a request from its head alone (a missing token), so
//     its body is never read; Expect: 100-continue is answered after it passes;
//   - bodies in flight across all connections are bounded by
//     max_body_bytes_in_flight (503 with Retry-After beyond it), and a large body
//     goes to a file in spool_dir rather than memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <util/result.h>

namespace blockstack::net {

struct Request {
  std::string method;                         // "GET", "POST", ...
  std::string target;                         // as sent: path and query
  std::string path;                           // percent-decoded, without the query
  std::map<std::string, std::string> query;   // decoded; a repeated key keeps the first value
  bool repeated_query_key = false;
  std::map<std::string, std::string> headers; // names lowercased
  std::string body;                           // the body, unless it was spooled:
  std::string body_file;                      // then the file holding it (the server
                                              // removes it after the handler; a handler
                                              // may move it away)
  std::size_t body_size = 0;                  // bytes in body or body_file
  std::string remote_ip;                      // the caller's address ("" when unknown)

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lowercase_name) const;
};

// A body too large to hold in memory (a large stored file): the server asks for
// it a piece at a time, as the client takes it, on the worker pool when there is
// one. A piece that fails ends the connection before the body is complete, so
// the client sees a truncated answer, never a wrong one.
struct StreamedBody {
  uint64_t size = 0;
  std::function<util::Result<std::string>(uint64_t offset, std::size_t length)> read;
};

struct Response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<StreamedBody> streamed;  // set: the body is this instead of `body`

  static Response Json(unsigned status, const nlohmann::json& body);
  static Response Text(unsigned status, std::string body, std::string content_type = "text/plain");
  Response& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Handler = std::function<Response(const Request&)>;

// A certificate for HTTPS: PEM (chain and key) or PKCS#12. The key may be
// encrypted with the passphrase. TLS 1.2 and later are offered.
struct TlsOptions {
  std::string cert_chain_pem;  // the server's certificate first, then its intermediates
  std::string key_pem;
  std::string pkcs12;  // DER bytes (instead of the two above)
  std::string passphrase;
};

struct ServerOptions {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout{5000};           // to receive a new connection's first request head
  std::chrono::milliseconds body_timeout{10000};            // to receive a body (and to send an answer)
  std::size_t min_body_rate = 0;                            // bytes/s: > 0 adds size/rate to body_timeout
  std::chrono::milliseconds idle_timeout{30000};            // for the next request head on a kept-alive connection
  std::size_t max_connections = 1024;                       // then the longest-waiting idle one is closed
  std::size_t max_connections_per_address = 256;            // then its longest-waiting one is closed
  std::size_t max_body_bytes_in_flight = 64 * 1024 * 1024;  // summed over all connections
  std::string spool_dir;  // "": bodies stay in memory; else larger ones go to a file here
  std::size_t spool_threshold = 64 * 1024;
  // Called once a request's head has arrived and before its body is read (req
  // has no body yet). A response answers the request at once (its body is never
  // read, the connection then closes); nullopt reads the body and calls the
  // handler. Runs where the handler would (see offload).
  std::function<std::optional<Response>(const Request&)> check_head;
  // Bodies of at most this many bytes skip check_head (unless the client sent
  // Expect): reading them costs less than the check's hand-off.
  std::size_t check_head_above = 16 * 1024;
  int threads = 0;          // network threads, one event loop each; 0 = one per core
  int worker_threads = 0;   // > 0: a pool that runs the handlers chosen by offload
  // Which requests run on the worker pool (all of them when unset). Called on a
  // network thread; must be cheap.
  std::function<bool(const Request&)> offload;
  // Speak TLS (the handshake must finish within header_timeout). Start fails with
  // InvalidArgument when the certificate or key cannot be used.
  std::optional<TlsOptions> tls;
  // Renders the answer to a request the server rejects itself (400 malformed, 413
  // body too large, 431 headers too large, 503 too many bodies in flight).
  // Default: {"error": message}.
  std::function<Response(unsigned status, const std::string& message)> error_response;
};

class HttpServer {
 public:
  // Listens on host:port (port 0 picks a free one) and serves until Stop or
  // destruction. Fails with Unavailable when the address cannot be bound.
  static util::Result<std::unique_ptr<HttpServer>> Start(const std::string& host, uint16_t port, Handler handler,
                                                         ServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t Port() const;
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace blockstack::net
