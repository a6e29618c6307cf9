// A client of a subdomain registrar's HTTP API (the original registrar's, which
// bns-registrar speaks): ask for a subdomain, read a request's status.
//
// Thread safety: one RegistrarClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <net/http_client.h>
#include <util/result.h>

namespace blockstack::client {

class RegistrarClient {
 public:
  // url: the registrar's base URL. Fails with InvalidArgument on a bad URL.
  static util::Result<std::unique_ptr<RegistrarClient>> Create(
      const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // POST /register {name, owner_address, zonefile}: the registrar's answer on 202.
  // Fails with InvalidArgument (400, 413), Conflict (409: refused, with the
  // registrar's message), Unauthorized (401, 403), Corruption (an answer that is
  // not the API's), or Unavailable/Timeout (no answer).
  util::Result<nlohmann::json> Register(const std::string& label, const std::string& owner, const std::string& zonefile,
                                        const std::string& api_key = "");
  // GET /status/{label}: the status text. NotFound when the registrar has no such request.
  util::Result<std::string> Status(const std::string& label);

 private:
  RegistrarClient(std::string url, std::unique_ptr<net::HttpClient> http)
      : m_url(std::move(url)), m_http(std::move(http)) {}
  std::string m_url;
  std::string m_path;  // the URL's path, without a trailing '/'
  std::unique_ptr<net::HttpClient> m_http;
};

}  // namespace blockstack::client
