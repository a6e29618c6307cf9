#include <client/node_client.h>

#include <client/url_fetcher.h>
#include <crypto/hash.h>
#include <util/url.h>

namespace blockstack::client {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

namespace {

std::string ErrorText(const json& body, unsigned status) {
  if (body.is_object() && body.contains("error") && body["error"].is_string()) return body["error"];
  return "HTTP " + std::to_string(status);
}

}  // namespace

util::Result<std::unique_ptr<NodeClient>> NodeClient::Create(const std::string& url, std::chrono::milliseconds timeout) {
  net::HttpClientOptions options;
  options.peer_name = "blockstack node";
  options.timeout = timeout;
  options.max_response_bytes = 16 * 1024 * 1024;
  BS_TRY(auto http, net::HttpClient::Create(url, options));
  std::string base = url;
  while (base.ends_with('/')) base.pop_back();
  return std::unique_ptr<NodeClient>(new NodeClient(base, std::move(http)));
}

util::Result<std::pair<unsigned, json>> NodeClient::GetJson(const std::string& path) {
  BS_TRY(auto res, m_http->Send("GET", path));
  json body = json::parse(res.body, nullptr, false);
  if (body.is_discarded()) body = nullptr;
  return std::make_pair(res.status, std::move(body));
}

util::Result<std::pair<unsigned, std::string>> NodeClient::GetText(const std::string& path) {
  BS_TRY(auto res, m_http->Send("GET", path));
  return std::make_pair(res.status, std::move(res.body));
}

util::Status NodeClient::CheckIsNode() {
  if (m_is_node) return util::Ok();
  BS_TRY(auto res, m_http->Send("GET", "/v1/info"));
  json info = json::parse(res.body, nullptr, false);
  if (res.status == 200 && info.is_object() && info.contains("last_block_processed") &&
      info["last_block_processed"].is_number_unsigned()) {
    m_is_node = true;
    return util::Ok();
  }
  return Fail(ErrorCode::Corruption, "not a blockstackd API at " + m_url + " (its /v1/info answered HTTP " +
                                         std::to_string(res.status) +
                                         (info.is_object() ? " without last_block_processed" : ", not JSON") +
                                         "): check --node or BLOCKSTACK_NODE");
}

util::Result<json> NodeClient::Expect200(const std::string& path, const std::string& what) {
  BS_TRY(auto answer, GetJson(path));
  auto& [status, body] = answer;
  // The node's errors are JSON objects saying "error" or "status"; anything else
  // may be another server at this URL.
  const bool node_shaped = body.is_object() && (body.contains("error") || body.contains("status") || status == 200);
  if (!node_shaped) BS_CHECK_OK(CheckIsNode());
  if (status == 404) return Fail(ErrorCode::NotFound, what + ": " + ErrorText(body, status));
  if (status == 400) return Fail(ErrorCode::InvalidArgument, what + ": " + ErrorText(body, status));
  if (status != 200) return Fail(ErrorCode::IoError, what + ": node answered " + ErrorText(body, status));
  if (body.is_null()) return Fail(ErrorCode::Corruption, what + ": node answered something other than JSON");
  return std::move(body);
}

util::Result<json> NodeClient::Info() { return Expect200("/v1/info", "node info"); }

util::Result<json> NodeClient::NameHistory(const std::string& fqn, std::optional<uint32_t> page) {
  const std::string base = "/v1/names/" + util::PercentEncode(fqn, false) + "/history?page=";
  if (page) return Expect200(base + std::to_string(*page), "history of " + fqn);
  json all = json::object();
  // The original answers 20 entries a page; a page past the end is empty.
  for (uint32_t p = 0; p < 100000; ++p) {
    auto body = Expect200(base + std::to_string(p), "history of " + fqn);
    if (!body) {
      if (p > 0 && body.error().code == ErrorCode::NotFound) break;
      return body;
    }
    if (!body->is_object()) return Fail(ErrorCode::Corruption, "history of " + fqn + ": not a JSON object");
    if (body->empty()) break;
    for (auto& [block, states] : body->items()) {
      auto& into = all[block];
      if (!into.is_array()) into = json::array();
      for (auto& s : states) into.push_back(s);
    }
  }
  return all;
}

util::Result<json> NodeClient::BlockchainRecord(const std::string& fqn) {
  return Expect200("/v1/blockchains/bitcoin/names/" + util::PercentEncode(fqn, false), "record of " + fqn);
}

util::Result<json> NodeClient::TransactionStatus(const std::string& txid) {
  BS_TRY(json body, Expect200("/v1/blockchains/bitcoin/transactions/" + txid, "transaction " + txid));
  if (!body.contains("tx") || !body["tx"].is_object())
    return Fail(ErrorCode::Corruption, "transaction " + txid + ": no tx");
  return body["tx"];
}

util::Result<std::optional<json>> NodeClient::Preorder(const std::string& hash) {
  auto body = Expect200("/v1/blockchains/bitcoin/preorders/" + hash, "preorder " + hash);
  if (!body) {
    if (body.error().code == ErrorCode::NotFound) return std::optional<json>();
    return util::Fail(body.error());
  }
  if (!body->is_object() || !body->contains("txid") || !(*body)["txid"].is_string()) {
    return Fail(ErrorCode::Corruption, "preorder " + hash + ": the node answered a malformed record");
  }
  return std::optional<json>(std::move(*body));
}

util::Result<uint32_t> NodeClient::LastBlock() {
  BS_TRY(json info, Info());
  if (!info.contains("last_block_processed") || !info["last_block_processed"].is_number_unsigned()) {
    return Fail(ErrorCode::Corruption, "node info lacks last_block_processed");
  }
  return info["last_block_processed"].get<uint32_t>();
}

util::Result<std::string> NodeClient::ConsensusHash() {
  BS_TRY(json body, Expect200("/v1/blockchains/bitcoin/consensus", "consensus hash"));
  if (!body.contains("consensus_hash") || !body["consensus_hash"].is_string()) {
    return Fail(ErrorCode::NotFound, "the node has no consensus hash yet");
  }
  return body["consensus_hash"].get<std::string>();
}

util::Result<json> NodeClient::Did(const std::string& did) {
  BS_TRY(json body, Expect200("/v1/dids/" + util::PercentEncode(did, false), "DID " + did));
  if (!body.contains("name") || !body["name"].is_string() || !body.contains("public_key") ||
      !body["public_key"].is_string()) {
    return Fail(ErrorCode::Corruption, "DID " + did + ": the node's answer names no name and key");
  }
  return body;
}

util::Result<NameInfo> NodeClient::Name(const std::string& fqn) {
  BS_TRY(auto res, m_http->Send("GET", "/v1/names/" + util::PercentEncode(fqn, false)));
  if (res.status == 301 || res.status == 302 || res.status == 307) return Pending(fqn, res.Header("location"));
  unsigned status = res.status;
  json body = json::parse(res.body, nullptr, false);
  if (body.is_discarded()) body = nullptr;
  NameInfo out;
  if (status == 404) {
    if (body.is_object() && body.contains("status")) {
      out.state = NameState::Unknown;
      return out;
    }
    const bool expired = body.is_object() && body.contains("error") && body["error"].is_string() &&
                         body["error"].get<std::string>().find("xpired") != std::string::npos;
    if (expired) {
      out.state = NameState::Expired;
      return out;
    }
    BS_CHECK_OK(CheckIsNode());
    return Fail(ErrorCode::IoError, "name " + fqn + ": node answered " + ErrorText(body, status));
  }
  if (!body.is_object()) BS_CHECK_OK(CheckIsNode());
  if (status == 400) return Fail(ErrorCode::InvalidArgument, "invalid name '" + fqn + "'");
  if (status != 200) return Fail(ErrorCode::IoError, "name " + fqn + ": node answered " + ErrorText(body, status));
  if (!body.is_object() || !body.contains("address") || !body["address"].is_string() || !body.contains("status")) {
    return Fail(ErrorCode::Corruption, "name " + fqn + ": node answered a malformed record");
  }
  out.state = body["status"] == "revoked" ? NameState::Revoked : NameState::Registered;
  out.address = body["address"];
  if (body.contains("zonefile_hash") && body["zonefile_hash"].is_string()) out.zonefile_hash = body["zonefile_hash"];
  if (body.contains("zonefile") && body["zonefile"].is_string()) out.zonefile = body["zonefile"];
  out.record = std::move(body);
  return out;
}

util::Result<NameInfo> NodeClient::Pending(const std::string& fqn, const std::string& location) {
  // Only to http(s) URLs, and only once: the registrar answers itself.
  if (!location.starts_with("http://") && !location.starts_with("https://")) {
    return Fail(ErrorCode::Corruption, "name " + fqn + ": the node redirected to '" + location + "', not a URL");
  }
  UrlFetcher registrar("registrar");
  BS_TRY(auto res, registrar.Get(location));
  NameInfo out;
  out.registrar = location;
  if (res.status == 404) return out;  // the registrar does not have it either
  json body = json::parse(res.body, nullptr, false);
  if (res.status != 200 || !body.is_object() || !body.contains("address") || !body["address"].is_string() ||
      !body.contains("status") || !body["status"].is_string() || !body.contains("zonefile") ||
      !body["zonefile"].is_string()) {
    return Fail(ErrorCode::Corruption, "name " + fqn + ": the registrar at " + location + " answered HTTP " +
                                           std::to_string(res.status) + " without a subdomain record");
  }
  out.state = NameState::Registered;
  out.pending = true;
  out.address = body["address"];
  out.zonefile = body["zonefile"].get<std::string>();
  // The registrar's record is not on chain: its hash is of the zone file it holds.
  out.zonefile_hash = crypto::Hash160Of(util::AsBytes(*out.zonefile)).Hex();
  out.record = std::move(body);
  return out;
}

util::Result<std::optional<std::string>> NodeClient::Zonefile(const std::string& hash) {
  BS_TRY(auto res, m_http->Send("GET", "/v1/zonefiles/" + util::PercentEncode(hash, false)));
  if (res.status == 404) return std::optional<std::string>{};
  if (res.status != 200) return Fail(ErrorCode::IoError, "zone file " + hash + ": node answered HTTP " + std::to_string(res.status));
  return std::optional<std::string>(std::move(res.body));
}

util::Status NodeClient::PublishZonefile(const std::string& text) {
  BS_TRY(auto res, m_http->Send("POST", "/v1/zonefile", {{"Content-Type", "application/json"}},
                                json{{"zonefile", text}}.dump(-1, ' ', false, json::error_handler_t::replace)));
  auto body = json::parse(res.body, nullptr, false);
  if (res.status == 200 && body.is_object() && body.value("status", false) == true) return util::Ok();
  return Fail(res.status >= 500 ? ErrorCode::IoError : ErrorCode::InvalidArgument,
              "the node did not store the zone file: " + ErrorText(body, res.status));
}

util::Result<int64_t> NodeClient::NamePrice(const std::string& fqn) {
  BS_TRY(json body, Expect200("/v1/prices/names/" + util::PercentEncode(fqn, false), "price of " + fqn));
  if (!body.contains("name_price") || !body["name_price"].contains("satoshis") ||
      !body["name_price"]["satoshis"].is_number_integer()) {
    return Fail(ErrorCode::InvalidArgument, fqn + " is not priced in satoshis (a STACKS namespace)");
  }
  return body["name_price"]["satoshis"].get<int64_t>();
}

util::Result<int64_t> NodeClient::NamespacePrice(const std::string& namespace_id) {
  BS_TRY(json body, Expect200("/v1/prices/namespaces/" + util::PercentEncode(namespace_id, false),
                              "price of namespace " + namespace_id));
  if (!body.contains("satoshis") || !body["satoshis"].is_number_integer()) {
    return Fail(ErrorCode::InvalidArgument, "namespace " + namespace_id + " is not priced in satoshis");
  }
  return body["satoshis"].get<int64_t>();
}

util::Result<json> NodeClient::Namespace(const std::string& namespace_id) {
  return Expect200("/v1/namespaces/" + util::PercentEncode(namespace_id, false), "namespace " + namespace_id);
}

util::Result<std::vector<std::string>> NodeClient::NamesOwnedBy(const std::string& address) {
  BS_TRY(json body, Expect200("/v1/addresses/bitcoin/" + util::PercentEncode(address, false), "names of " + address));
  std::vector<std::string> out;
  if (body.contains("names") && body["names"].is_array()) {
    for (const auto& n : body["names"]) {
      if (n.is_string()) out.push_back(n);
    }
  }
  return out;
}

util::Result<json> NodeClient::OperationsAt(uint32_t height) {
  return Expect200("/v1/blockchains/bitcoin/operations/" + std::to_string(height), "operations at " + std::to_string(height));
}

}  // namespace blockstack::client
