#include <gaia/admin.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <gaia/config.h>
#include <util/fsync.h>
#include <util/text.h>

namespace blockstack::gaia {

using nlohmann::json;

namespace {

util::Result<json> ReadConfigObject(const std::string& path) {
  std::ifstream in(path);
  if (!in) return util::Fail(util::ErrorCode::NotFound, "cannot read the config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    json doc = json::parse(ss.str());
    if (!doc.is_object()) return util::Fail(util::ErrorCode::InvalidArgument, path + " is not a JSON object");
    return doc;
  } catch (const json::exception&) {
    return util::Fail(util::ErrorCode::InvalidArgument, path + " does not parse as JSON");
  }
}

net::Response Error(unsigned status, const std::string& message) {
  return net::Response::Json(status, {{"error", message}});
}

}  // namespace

const std::vector<std::string>& AdminApi::Settings() {
  // The original admin service's schema, and this hub's own settings of the same
  // kind (quotas, upload size, limits).
  static const std::vector<std::string> keys = {"validHubUrls",   "requireCorrectHubUrl",
                                                "serverName",     "port",
                                                "proofsConfig",   "whitelist",
                                                "driver",         "readURL",
                                                "pageSize",       "bucket",
                                                "cacheControl",   "azCredentials",
                                                "diskSettings",   "gcCredentials",
                                                "awsCredentials", "bucketQuota",
                                                "bucketQuotas",   "maxFileUploadSize",
                                                "serverLimits",   "authTimestampCacheSize"};
  return keys;
}

AdminApi::AdminApi(std::string config_path, std::vector<std::string> api_keys, ReloadFunction reload)
    : m_config_path(std::move(config_path)), m_api_keys(std::move(api_keys)), m_reload(std::move(reload)) {
  m_router.Add("POST", "/v1/admin/reload", "admin_reload",
               [this](const net::Request&, const net::PathParams&) { return Reload(); });
  m_router.Add("GET", "/v1/admin/config", "admin_get_config",
               [this](const net::Request&, const net::PathParams&) { return GetConfig(); });
  m_router.Add("POST", "/v1/admin/config", "admin_set_config",
               [this](const net::Request& req, const net::PathParams&) { return SetConfig(req); });
}

net::ServerOptions AdminApi::ServerOptions() const {
  net::ServerOptions options;
  options.max_body_bytes = 1024 * 1024;
  options.threads = 1;
  options.error_response = m_router.ErrorRenderer();
  return options;
}

bool AdminApi::Authorized(const net::Request& req) const {
  const std::string& header = req.Header("authorization");
  constexpr std::string_view SCHEME = "bearer ";
  if (header.size() <= SCHEME.size() || !util::EqualsIgnoreCase(header.substr(0, SCHEME.size()), SCHEME)) return false;
  std::string_view given = std::string_view(header).substr(SCHEME.size());
  bool ok = false;
  for (const auto& key : m_api_keys) {
    ok |= key.size() == given.size() && CRYPTO_memcmp(key.data(), given.data(), key.size()) == 0;
  }
  return ok;
}

net::Response AdminApi::Handle(const net::Request& req) {
  // Who may not use the API learns nothing of it, not even which routes exist.
  if (!Authorized(req)) {
    spdlog::warn("gaia-hub admin: refused {} {} from {}: no valid API key", req.method, req.path, req.remote_ip);
    return Error(403, "forbidden");
  }
  try {
    auto answer = m_router.Dispatch(req).response;
    spdlog::info("gaia-hub admin: {} {} from {}: {}", req.method, req.path, req.remote_ip, answer.status);
    return answer;
  } catch (const std::exception& e) {
    return Error(500, std::string("unexpected failure: ") + e.what());
  }
}

net::Response AdminApi::Reload() {
  std::lock_guard lock(m_mutex);
  auto restart = m_reload();
  if (!restart) return Error(500, restart.error().message);
  json answer{{"result", "OK"}};
  if (!restart->empty()) answer["restartNeeded"] = *restart;
  return net::Response::Json(200, answer);
}

net::Response AdminApi::GetConfig() {
  if (m_config_path.empty()) return Error(404, "the hub was started without a config file");
  std::lock_guard lock(m_mutex);
  auto doc = ReadConfigObject(m_config_path);
  if (!doc) return Error(500, doc.error().message);
  json shown = json::object();
  for (const auto& key : Settings()) {
    if (auto it = doc->find(key); it != doc->end()) shown[key] = *it;
  }
  return net::Response::Json(200, {{"config", shown}});
}

net::Response AdminApi::SetConfig(const net::Request& req) {
  if (m_config_path.empty()) return Error(404, "the hub was started without a config file");
  json patch;
  try {
    patch = json::parse(req.body);
  } catch (const json::exception&) {
    return net::Response::Json(400, {{"error", "Invalid Gaia configuration"}, {"more", "the body is not JSON"}});
  }
  if (!patch.is_object()) {
    return net::Response::Json(400,
                               {{"error", "Invalid Gaia configuration"}, {"more", "the body is not a JSON object"}});
  }
  const auto& allowed = Settings();
  for (const auto& [key, value] : patch.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return net::Response::Json(400, {{"error", "Invalid Gaia configuration"},
                                       {"more", "'" + key + "' cannot be set through the admin API"}});
    }
  }
  std::lock_guard lock(m_mutex);
  auto doc = ReadConfigObject(m_config_path);
  if (!doc) return Error(500, doc.error().message);
  for (const auto& [key, value] : patch.items()) (*doc)[key] = value;
  const std::string text = doc->dump(2);
  // The file as it would be must load: a mistake is refused here, not found at
  // the next reload or restart.
  HubConfig check;
  if (auto st = ApplyHubConfigJson(text, check); !st) {
    return net::Response::Json(400, {{"error", "Invalid Gaia configuration"}, {"more", st.error().message}});
  }
  if (auto st = util::WriteFileAtomically(m_config_path, text + "\n"); !st) return Error(500, st.error().message);
  return net::Response::Json(200, {{"message", "Config updated -- you should reload your Gaia hub now."}});
}

}  // namespace blockstack::gaia
