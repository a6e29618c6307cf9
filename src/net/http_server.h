// An HTTP/1.1 server for the node's REST API and the Gaia hub: Boost.Beast on Asio,
// asynchronous, keep-alive, with bounded header and body sizes, a deadline for
// each request (so a client sending a byte a second is cut off) and an idle
// timeout between requests. Handlers are plain functions from Request to Response
// and must be thread-safe. Each network thread runs its own event loop (no
// hand-offs between threads for a request); handlers that block (fsync, remote
// storage) can be sent to a separate pool of worker threads instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
  std::string body;
  std::string remote_ip;                      // the caller's address ("" when unknown)

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lowercase_name) const;
};

struct Response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response Json(unsigned status, const nlohmann::json& body);
  static Response Text(unsigned status, std::string body, std::string content_type = "text/plain");
  Response& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds request_timeout{10000};  // to receive one whole request
  std::chrono::milliseconds idle_timeout{30000};     // between requests on a connection
  std::size_t max_connections = 1024;                // more are closed at once
  int threads = 0;          // network threads, one event loop each; 0 = one per core
  int worker_threads = 0;   // > 0: a pool that runs the handlers chosen by offload
  // Which requests run on the worker pool (all of them when unset). Called on a
  // network thread; must be cheap.
  std::function<bool(const Request&)> offload;
  // Renders the answer to a request the server rejects itself (400 malformed, 413
  // body too large, 431 headers too large). Default: {"error": message}.
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
