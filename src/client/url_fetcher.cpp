#include <client/url_fetcher.h>

#include <util/url.h>

namespace blockstack::client {

void TrustCaFile(std::string path) { net::SetDefaultCaFile(std::move(path)); }

util::Status ConnectTo(std::string_view spec) { return net::AddConnectTo(spec); }

UrlFetcher::UrlFetcher(std::string peer_name, std::chrono::milliseconds timeout, std::size_t max_response_bytes) {
  m_options.peer_name = std::move(peer_name);
  m_options.timeout = timeout;
  m_options.max_response_bytes = max_response_bytes;
}

util::Result<net::HttpResponse> UrlFetcher::Get(const std::string& url) {
  BS_TRY(util::Url parsed, util::ParseUrl(url));
  std::string origin = parsed.Origin();
  auto it = m_clients.find(origin);
  if (it == m_clients.end()) {
    BS_TRY(auto client, net::HttpClient::Create(origin, m_options));
    it = m_clients.emplace(origin, std::move(client)).first;
  }
  return it->second->Send("GET", parsed.target);
}

}  // namespace blockstack::client
