#include <api/detail/answers.h>

#include <spdlog/spdlog.h>

#include <subdomain/index.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <util/json_text.h>
#include <util/text.h>
#include <zonefile/zonefile.h>

namespace blockstack::api::detail {

using nlohmann::json;

net::Response Error(unsigned status, const std::string& message) {
  return net::Response::Json(status, {{"error", message}});
}

net::Response Ok(const json& body) { return net::Response::Json(200, body); }

net::Response Backend(const util::Error& e) {
  if (e.code == util::ErrorCode::Unavailable) return Error(503, e.message);
  spdlog::warn("api: {}", e.message);
  return Error(502, "Failed to read the name database");
}

std::optional<uint32_t> ParseUint(const std::string& text) {
  auto v = util::ParseDecimal(text, UINT32_MAX, 10);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

bool Truthy(const std::map<std::string, std::string>& query, const char* key) {
  auto it = query.find(key);
  return it != query.end() && (it->second == "true" || it->second == "1");
}

std::optional<uint32_t> PageOf(const net::Request& req, bool required) {
  auto it = req.query.find("page");
  if (it == req.query.end()) return required ? std::nullopt : std::optional<uint32_t>(0);
  return ParseUint(it->second);
}

json PageSlice(const std::vector<std::string>& list, uint32_t page) {
  json out = json::array();
  for (std::size_t i = std::size_t{page} * NAMES_PER_PAGE; i < list.size() && out.size() < NAMES_PER_PAGE; ++i) {
    out.push_back(list[i]);
  }
  return out;
}

namespace {

// Whether a zone file can be given as JSON text: UTF-8 that reads as a zone file,
// or a legacy profile (a JSON object), as the original's decode_name_zonefile.
bool IsStandardZonefile(const std::string& text) {
  if (!util::IsValidUtf8(text)) return false;
  if (zonefile::ParseZonefile(text)) return true;
  const json legacy = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return legacy.is_object();
}

}  // namespace

net::Response ZonefileAnswer(const std::string& text, bool by_hash) {
  if (IsStandardZonefile(text)) return Ok({{"zonefile", text}});
  if (by_hash) return net::Response::Text(204, "");
  return Ok({{"error", "Non-standard zone file.  Try passing raw=1 to get the raw zone file."}});
}

json DidJson(const std::optional<std::string>& did) { return did ? json(*did) : json{{"error", NO_DID}}; }

json SubdomainRecordJson(const subdomain::SubdomainState& st) {
  return {{"address", st.owner},
          {"block_number", st.block_height},
          {"domain", st.domain},
          {"name", st.fqn},
          {"sequence", st.seqn},
          {"txid", st.txid},
          {"value_hash", st.zonefile_hash},
          {"zonefile", util::EncodeBase64(util::AsBytes(st.zonefile))}};
}

}  // namespace blockstack::api::detail
