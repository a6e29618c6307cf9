// A small synchronous HTTP/1.1 client over one keep-alive connection (Boost.Beast).
// Used for the bitcoin node's JSON-RPC, S3 and the Gaia and node APIs from the CLI.
//
// Every step (resolve, connect, write, read) is bounded by the timeout. A kept-alive
// connection that the server closed meanwhile is reopened once for free. https://
// is spoken over TLS 1.2 or later: the server's certificate must chain to a trusted
// CA (the system's store, or a CA file) and name the host.
//
// Thread safety: one HttpClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <util/result.h>
#include <util/url.h>

namespace blockstack::net {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30000};              // per step
  std::size_t max_response_bytes = 64 * 1024 * 1024;     // larger answers fail with TooLarge
  std::string peer_name = "server";                       // in messages: "cannot reach <peer_name> at <origin>"
  // > 0: an answer must keep coming at this many bytes a second on average,
  // counted from its first byte once min_rate_grace has passed; a slower one
  // fails with Timeout (a peer dripping its answer cannot hold a caller for the
  // whole timeout). The wait for the first byte is bounded by timeout alone.
  std::size_t min_rate = 0;
  std::chrono::milliseconds min_rate_grace{1000};
  // https: trust the CA certificates in this PEM file instead of the default
  // (SetDefaultCaFile, else the system's store).
  std::string ca_file;
};

// The CA file every https client trusts unless its options name one; "" (the
// default) means the system's store (OpenSSL's paths, so SSL_CERT_FILE applies).
void SetDefaultCaFile(std::string path);
// As curl's --connect-to: connections for host:port go to to_host:to_port
// instead, while the Host header, TLS server name and certificate check still
// name host. For every client of the process (a command-line option).
void SetConnectTo(std::string host, uint16_t port, std::string to_host, uint16_t to_port);
// Parses "HOST:PORT:TO_HOST:TO_PORT" and calls SetConnectTo; InvalidArgument
// when it is not that form.
util::Status AddConnectTo(std::string_view spec);

struct HttpResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lowercase_name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // url: http(s)://host[:port][/...]; only its origin is used. Fails with
  // InvalidArgument on a bad URL or another scheme. Connects lazily; an https
  // client whose CA file cannot be read fails at its first Send.
  static util::Result<std::unique_ptr<HttpClient>> Create(std::string_view url, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One exchange. target is the path and query as sent. Host, User-Agent and
  // Content-Length are set unless given. Any HTTP status is a success here.
  // Errors: Unavailable (cannot resolve or connect), Timeout, IoError (connection
  // broke), TooLarge (answer over the limit).
  util::Result<HttpResponse> Send(std::string_view method, std::string_view target, const HeaderList& headers = {},
                                  std::string_view body = {});

  const util::Url& Url() const { return m_url; }
  // The per-step timeout of later exchanges.
  void SetTimeout(std::chrono::milliseconds timeout) { m_options.timeout = timeout; }
  void Close();

 private:
  struct Connection;
  HttpClient(util::Url url, HttpClientOptions options);

  util::Url m_url;
  HttpClientOptions m_options;
  std::unique_ptr<Connection> m_conn;
};

}  // namespace blockstack::net
