// Zone files by hash (GET /v1/zonefiles/{hash}) and publishing one
// (POST /v1/zonefile), which stores it through the node's writer.
#include <api/api.h>
#include <api/detail/answers.h>

#include <atlas/zonefile_store.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <util/text.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;
using detail::Ok;
using nlohmann::json;

namespace {

// A zone file as JSON text (escaped) or base64 fits in twice its size.
constexpr std::size_t MAX_ZONEFILE_POST_BODY = 2 * atlas::MAX_ZONEFILE_BYTES;

// The zone file in a POST body, {"zonefile": text} or {"zonefile_b64": base64};
// nullopt when the body is neither.
std::optional<std::string> ZonefileInBody(const std::string& body_text) {
  auto body = json::parse(body_text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  if (body.contains("zonefile") && body["zonefile"].is_string()) return body["zonefile"].get<std::string>();
  if (body.contains("zonefile_b64") && body["zonefile_b64"].is_string()) {
    auto raw = util::DecodeBase64(body["zonefile_b64"].get<std::string>());
    if (!raw) return std::nullopt;
    return std::string(raw->begin(), raw->end());
  }
  return std::nullopt;
}

// "application/json", in any case, with or without parameters ("; charset=utf-8").
bool IsJsonContentType(std::string_view value) {
  return util::EqualsIgnoreCase(util::TrimBlanks(value.substr(0, value.find(';'))), "application/json");
}

}  // namespace

void Api::AddZonefileRoutes() {
  AddDb("POST", "/v1/zonefile", "post_zonefile", &Api::PostZonefile);
  AddPlain("GET", "/v1/zonefiles/{hash}", "zonefile", &Api::ZonefileByHash);
}

net::Response Api::PostZonefile(const net::Request& req, const Params&, bns::db::NameDb& db) {
  const std::string limit = std::to_string(atlas::MAX_ZONEFILE_BYTES);
  if (req.body.size() > MAX_ZONEFILE_POST_BODY) {
    return Error(413, "Request too large: a zone file may be at most " + limit + " bytes");
  }
  // As the original: only a JSON body is read.
  if (!IsJsonContentType(req.Header("content-type"))) {
    return Error(400, "Invalid request: the body must be JSON with Content-Type: application/json");
  }
  auto text = ZonefileInBody(req.body);
  if (!text) return Error(400, "Invalid request");
  if (text->size() > atlas::MAX_ZONEFILE_BYTES) {
    return Error(400, "Zone file too large: " + std::to_string(text->size()) + " bytes, the limit is " + limit);
  }
  std::string url;
  {
    std::lock_guard lock(m_pool_mutex);
    url = m_settings.public_url;
  }
  util::Result<bool> stored = false;
  if (m_writer) {
    stored = m_writer(*text);
  } else {
    // No node around the API (tests): check the name database, then store.
    auto known = db.IsValueHashKnown(atlas::ZonefileHash(*text));
    if (!known) return Backend(known.error());
    if (!*known) return Error(400, "Blockstack node did not save the zone file");
    stored = m_zonefiles.Put(*text);
    if (stored && *stored) Invalidate();
  }
  if (!stored && stored.error().code == util::ErrorCode::NotFound) {
    return Error(400, "Blockstack node did not save the zone file");
  }
  if (!stored) return Backend(stored.error());
  return Ok({{"status", true}, {"servers", json::array({url})}});
}

net::Response Api::ZonefileByHash(const net::Request&, const Params& p) {
  // Either case names the same file; the store keys it in lowercase.
  auto hash = util::CanonicalHash160Hex(p["hash"]);
  if (!hash) return Error(400, "Invalid zone file hash");
  auto zf = m_zonefiles.Get(*hash);
  if (!zf) return Backend(zf.error());
  if (!*zf) return Error(404, "No such zone file");
  return net::Response::Text(200, **zf, "application/octet-stream");
}

}  // namespace blockstack::api
