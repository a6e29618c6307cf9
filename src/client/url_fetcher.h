// GETs of absolute http(s):// URLs over one kept-alive connection per origin: how the
// client library reads Gaia buckets, profiles and other storage.
//
// Thread safety: one UrlFetcher is used by one thread at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <net/http_client.h>
#include <util/result.h>

namespace blockstack::client {

// Every https:// connection the client library makes from now on (nodes, hubs,
// profiles, data) trusts the CA certificates in this PEM file instead of the
// system's store; "" restores the system's store.
void TrustCaFile(std::string path);
// Sends every connection for host:port to another host:port, as curl's
// --connect-to ("HOST:PORT:TO_HOST:TO_PORT"); certificates are still checked
// for the URL's host. InvalidArgument when spec is not that form.
util::Status ConnectTo(std::string_view spec);

class UrlFetcher {
 public:
  // peer_name names the far end in connection errors ("cannot reach <peer_name> at ...").
  explicit UrlFetcher(std::string peer_name = "storage", std::chrono::milliseconds timeout = std::chrono::seconds(30),
                      std::size_t max_response_bytes = 64 * 1024 * 1024);

  // Any HTTP status is a success; errors are those of HttpClient::Send plus
  // InvalidArgument for a bad URL.
  util::Result<net::HttpResponse> Get(const std::string& url);

 private:
  net::HttpClientOptions m_options;
  std::map<std::string, std::unique_ptr<net::HttpClient>> m_clients;  // by origin
};

}  // namespace blockstack::client
