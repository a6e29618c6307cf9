#include <atlas/peer_client.h>

#include <algorithm>
#include <cctype>

#include <atlas/zonefile_store.h>
#include <util/base64.h>

namespace blockstack::atlas {

namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

}  // namespace

bool IsValidHostPort(std::string_view hp) {
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 253) return false;
  std::string_view host = hp.substr(0, colon), port = hp.substr(colon + 1);
  if (host.find_first_of(":/ \t\r\n@") != std::string_view::npos) return false;
  if (port.size() < 2 || port.size() > 5 || port[0] == '0') return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::stoul(std::string(port)) <= 65535;
}

util::Result<std::unique_ptr<PeerClient>> PeerClient::Create(const std::string& hostport, std::size_t min_rate,
                                                             std::chrono::milliseconds grace) {
  if (!IsValidHostPort(hostport)) return Fail(ErrorCode::InvalidArgument, "bad peer address '" + hostport + "'");
  net::HttpClientOptions opts;
  opts.min_rate = min_rate;
  opts.min_rate_grace = grace;
  opts.max_response_bytes = MAX_RESPONSE_BYTES;
  opts.peer_name = "Atlas peer";
  BS_TRY(auto http, net::HttpClient::Create("http://" + hostport, opts));
  return std::unique_ptr<PeerClient>(new PeerClient(hostport, std::move(http)));
}

util::Result<json> PeerClient::Call(std::string_view method, const std::string& target, const std::string& body,
                                    std::chrono::milliseconds timeout) {
  m_http->SetTimeout(timeout);
  net::HeaderList headers;
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  BS_TRY(auto res, m_http->Send(method, target, headers, body));
  json doc = json::parse(res.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Fail(ErrorCode::Corruption, "peer " + m_hostport + " answered " + target + " with something not JSON");
  }
  if (doc.contains("error") || res.status != 200) {
    std::string msg = doc.contains("error") && doc["error"].is_string() ? doc["error"].get<std::string>() : "";
    return Fail(ErrorCode::Unavailable,
                "peer " + m_hostport + " answered " + target + " with HTTP " + std::to_string(res.status) + " " + msg);
  }
  return doc;
}

util::Result<PeerInfo> PeerClient::GetInfo(std::chrono::milliseconds timeout) {
  BS_TRY(json doc, Call("GET", "/v1/atlas/info", "", timeout));
  PeerInfo info;
  try {
    info.server_version = doc.at("server_version").get<std::string>();
    info.network = doc.value("network", "");
    info.testnet = doc.value("testnet", false);
    info.stale = doc.value("stale", false);
    info.last_block = doc.at("last_block_processed").get<uint32_t>();
    info.consensus = doc.value("consensus", "");
    info.zonefile_count = doc.value("zonefile_count", uint64_t{0});
  } catch (const json::exception& e) {
    return Fail(ErrorCode::Corruption, "peer " + m_hostport + " sent malformed info: " + e.what());
  }
  return info;
}

util::Result<Inventory> PeerClient::GetInventory(uint64_t offset, uint64_t length, std::chrono::milliseconds timeout) {
  BS_TRY(json doc,
         Call("GET", "/v1/atlas/inventory?offset=" + std::to_string(offset) + "&length=" + std::to_string(length), "",
              timeout));
  if (!doc.contains("inv") || !doc["inv"].is_string())
    return Fail(ErrorCode::Corruption, "peer " + m_hostport + " sent no inventory");
  auto inv = util::DecodeBase64(doc["inv"].get<std::string>());
  if (!inv) return Fail(ErrorCode::Corruption, "peer " + m_hostport + " sent an inventory that is not base64");
  if (inv->size() > length)
    return Fail(ErrorCode::Corruption, "peer " + m_hostport + " sent a longer inventory than asked for");
  return Inventory(inv->begin(), inv->end());
}

util::Result<std::vector<std::string>> PeerClient::ExchangePeers(const std::string& my_hostport,
                                                                 std::chrono::milliseconds timeout) {
  json body = json::object();
  if (!my_hostport.empty()) body["my_hostport"] = my_hostport;
  BS_TRY(json doc, Call("POST", "/v1/atlas/peers", body.dump(), timeout));
  if (!doc.contains("peers") || !doc["peers"].is_array())
    return Fail(ErrorCode::Corruption, "peer " + m_hostport + " sent no peer list");
  std::vector<std::string> out;
  for (const auto& p : doc["peers"]) {
    if (out.size() >= MAX_NEIGHBORS) break;
    if (p.is_string() && IsValidHostPort(p.get<std::string>())) out.push_back(p.get<std::string>());
  }
  return out;
}

util::Result<FetchedZonefiles> PeerClient::GetZonefiles(const std::vector<std::string>& hashes,
                                                        std::chrono::milliseconds timeout) {
  if (hashes.size() > MAX_GET_ZONEFILES)
    return Fail(ErrorCode::InvalidArgument, "at most " + std::to_string(MAX_GET_ZONEFILES) + " hashes per call");
  m_http->SetTimeout(timeout);
  net::HeaderList headers = {{"Content-Type", "application/json"}, {"Accept", ZONEFILE_FRAMES_TYPE}};
  BS_TRY(auto res, m_http->Send("POST", "/v1/atlas/zonefiles", headers, json{{"zonefile_hashes", hashes}}.dump()));
  if (res.status != 200 || res.Header("content-type") != ZONEFILE_FRAMES_TYPE) {
    return Fail(ErrorCode::Unavailable, "peer " + m_hostport + " answered a zone-file request with HTTP " +
                                            std::to_string(res.status) + " " + res.body.substr(0, 200));
  }
  return ParseZonefileFrames(res.body, hashes, m_hostport);
}

util::Result<std::vector<bool>> PeerClient::PutZonefiles(const std::vector<std::string>& files,
                                                         std::chrono::milliseconds timeout) {
  if (files.size() > MAX_PUT_ZONEFILES)
    return Fail(ErrorCode::InvalidArgument, "at most " + std::to_string(MAX_PUT_ZONEFILES) + " files per call");
  json datas = json::array();
  for (const auto& f : files) datas.push_back(util::EncodeBase64(util::AsBytes(f)));
  BS_TRY(json doc, Call("POST", "/v1/atlas/zonefiles/put", json{{"zonefile_datas", datas}}.dump(), timeout));
  if (!doc.contains("saved") || !doc["saved"].is_array() || doc["saved"].size() != files.size())
    return Fail(ErrorCode::Corruption, "peer " + m_hostport + " sent a saved list of the wrong length");
  std::vector<bool> out;
  for (const auto& s : doc["saved"]) out.push_back(s.is_number_integer() && s.get<int64_t>() == 1);
  return out;
}

}  // namespace blockstack::atlas
