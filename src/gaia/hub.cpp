#include <gaia/hub.h>

#include <unistd.h>

#include <atomic>

#include <filesystem>

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <util/json_text.h>
#include <util/text.h>

namespace blockstack::gaia {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::size_t MAX_JSON_BODY = 4096;
constexpr std::size_t MAX_CONTENT_TYPE = 1024;
const char* const DEFAULT_CONTENT_TYPE = "application/octet-stream";

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void AddCors(net::Response& res) {
  res.With("Access-Control-Allow-Origin", "*")
      .With("Access-Control-Allow-Methods", "DELETE,POST,GET,OPTIONS,HEAD")
      .With("Access-Control-Allow-Headers", "Authorization,Content-Type,If-Match,If-None-Match")
      .With("Access-Control-Max-Age", "86400");
}

net::Response ErrorResponse(const HubError& error) {
  if (error.kind == HubErrorKind::Server) {
    spdlog::error("gaia: {}", error.message);
    return net::Response::Json(500, {{"message", "Server Error"}});
  }
  ordered_json body;
  body["message"] = error.message;
  const char* name = ClassName(error.kind);
  if (*name) body["error"] = name;
  net::Response res;
  res.status = HttpStatus(error.kind);
  res.body = body.dump();
  res.headers.emplace_back("Content-Type", "application/json");
  return res;
}

net::Response Fail(HubErrorKind kind, std::string message) { return ErrorResponse(HubError{kind, std::move(message)}); }

// Express's answer for a path no route takes.
net::Response NotFound(const net::Request& req) {
  return net::Response::Json(404, {{"message", "Cannot " + req.method + " " + req.path}});
}

// The answer for a request the server rejects itself (malformed, too large).
net::Response ServerError(unsigned status, const std::string& message) {
  net::Response res;
  if (status == 413) {
    res = ErrorResponse({HubErrorKind::PayloadTooLarge, "Max file upload size is exceeded: " + message});
  } else {
    res = net::Response::Json(status, {{"message", message}});
  }
  AddCors(res);
  return res;
}

bool IsAlnum(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string HttpDate(int64_t unix_seconds) {
  // Many reads of one file ask for the same date: remember the last one per thread.
  thread_local int64_t last_seconds = -1;
  thread_local std::string last_text;
  if (unix_seconds == last_seconds) return last_text;
  last_seconds = unix_seconds;
  last_text = util::FormatUtc(unix_seconds, "%a, %d %b %Y %H:%M:%S GMT");
  return last_text;
}

// `{dir}/.history.{ms}.{10 chars}.{file}` (§2.5).
std::string HistoryName(const std::string& path) {
  static const char ALPHABET[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id;
  for (int i = 0; i < 10; ++i) id += ALPHABET[rng() % 62];
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + ".history." + std::to_string(ms) + "." + id + "." + file;
}

// A list-files entry with stat, in the original's shape.
json StatEntry(const ListEntry& e) {
  ordered_json entry;
  entry["name"] = e.name;
  entry["exists"] = true;
  entry["etag"] = e.stat.etag;
  entry["contentLength"] = e.stat.content_length;
  if (!e.stat.content_type.empty()) entry["contentType"] = e.stat.content_type;
  entry["lastModifiedDate"] = e.stat.last_modified * 1000;  // milliseconds, as the original (Date.getTime())
  return json::parse(entry.dump());
}

bool IsHistoryFile(const std::string& name) {
  auto slash = name.rfind('/');
  return name.compare(slash == std::string::npos ? 0 : slash + 1, 9, ".history.") == 0;
}

// The request body as a JSON object, the way express.json treats it: only for a
// JSON content type, otherwise {}.
HubResult<json> JsonBody(const net::Request& req) {
  if (req.body.size() > MAX_JSON_BODY) {
    return HubFail(HubErrorKind::PayloadTooLarge, "Invalid JSON: too long");
  }
  if (req.Header("content-type").find("json") == std::string::npos || req.body.empty()) return json::object();
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return HubFail(HubErrorKind::BadRequest, "Invalid JSON: could not parse the body");
  return body;
}

}  // namespace

Hub::PathGuard::PathGuard(Hub& hub, std::string key) : m_hub(hub), m_key(std::move(key)) {
  std::lock_guard lock(m_hub.m_locks_mutex);
  m_acquired = m_hub.m_locked_paths.insert(m_key).second;
}

Hub::PathGuard::~PathGuard() {
  if (!m_acquired) return;
  std::lock_guard lock(m_hub.m_locks_mutex);
  m_hub.m_locked_paths.erase(m_key);
}

Hub::Hub(HubConfig config, std::unique_ptr<Driver> driver)
    : m_config(std::move(config)),
      m_driver(std::move(driver)),
      m_revocations(std::max<std::size_t>(1, m_config.auth_timestamp_cache_size)) {
  // Large uploads go to a file, never memory: beside the storage (disk: the
  // file becomes the stored one by a rename), else in a directory of our own.
  m_spool_dir = m_driver->SpoolDirectory();
  if (m_spool_dir.empty()) {
    static std::atomic<int> hubs{0};
    std::error_code ec;
    auto dir = std::filesystem::temp_directory_path(ec) /
               ("gaia-hub-spool-" + std::to_string(::getpid()) + "-" + std::to_string(hubs++));
    if (!ec && std::filesystem::create_directories(dir, ec) && !ec) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
      m_spool_dir = dir.string();
      m_own_spool_dir = true;
    } else {
      spdlog::warn("gaia-hub: no spool directory under {}: large uploads are held in memory",
                   dir.parent_path().string());
    }
  }
  m_auth_settings.server_name = m_config.server_name;
  m_auth_settings.require_correct_hub_url = m_config.require_correct_hub_url;
  m_auth_settings.valid_hub_urls = m_config.valid_hub_urls;
  SetListenAddress(m_config.host, m_config.port);
  m_metrics.Describe("gaia_requests_total", "Requests answered, by route and status", "counter");
  m_metrics.Describe("gaia_request_duration_seconds", "Time to answer a request, by route", "histogram");
  m_metrics.Describe("gaia_bytes_written_total", "Bytes stored by successful writes", "counter");
  m_metrics.Describe("gaia_bytes_read_total", "Bytes served by reads", "counter");
  m_metrics.Describe("gaia_auth_cache_hits_total", "Requests whose token was already verified", "counter");
}

Hub::~Hub() {
  if (m_own_spool_dir) {
    std::error_code ec;
    std::filesystem::remove_all(m_spool_dir, ec);
  }
}

void Hub::SetListenAddress(const std::string& host, uint16_t port, std::string_view scheme) {
  if (!m_config.read_url.empty()) {
    m_read_prefix = m_config.read_url;
  } else if (!m_driver->ReadUrlPrefix().empty()) {
    m_read_prefix = m_driver->ReadUrlPrefix();
  } else {
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    m_read_prefix = std::string(scheme) + "://" + shown + ":" + std::to_string(port) + "/read/";
  }
  // Reads are served under the path of the read URL; a read URL with no path of
  // its own (a bucket's public URL) is still served under /read/.
  auto scheme_end = m_read_prefix.find("://");
  auto slash = scheme_end == std::string::npos ? std::string::npos : m_read_prefix.find('/', scheme_end + 3);
  m_read_path = slash == std::string::npos ? "/" : m_read_prefix.substr(slash);
  if (m_read_path.empty() || m_read_path.back() != '/') m_read_path += '/';
  if (m_read_path == "/") m_read_path = "/read/";
  // The path never depends on the port: routes built at construction stay.
  if (m_read_path != m_routed_read_path) {
    m_routed_read_path = m_read_path;
    BuildRoutes();
  }
}

net::ServerOptions Hub::ServerOptions() {
  net::ServerOptions options;
  options.max_body_bytes = m_config.MaxUploadBytes();
  // Writes block on fsync (and on the S3 server): they run on a pool large enough
  // for concurrent writes to share journal commits, while reads and hub_info are
  // answered on the network threads.
  options.worker_threads = 16;
  bool remote = m_config.driver == "s3" || m_config.driver == "aws";
  options.offload = [remote](const net::Request& req) { return remote || req.method == "POST" || req.method == "DELETE"; };
  const auto& limits = m_config.limits;
  options.max_connections = limits.max_connections;
  options.max_connections_per_address = limits.max_connections_per_address;
  options.header_timeout = std::chrono::milliseconds(limits.header_timeout_ms);
  options.body_timeout = std::chrono::milliseconds(limits.body_timeout_ms);
  options.min_body_rate = limits.min_body_rate;
  options.max_body_bytes_in_flight = limits.max_body_bytes_in_flight;
  // Large uploads go to a file beside the storage (disk): they never sit in memory.
  options.spool_dir = m_spool_dir;
  options.check_head = [this](const net::Request& req) { return CheckHead(req); };
  options.error_response = m_router.ErrorRenderer();
  return options;
}

std::optional<net::Response> Hub::CheckHead(const net::Request& req) {
  // Whatever would be refused from the headers alone is refused before a byte
  // of the body is read: an upload without a valid token costs nothing.
  auto found = m_router.Find(req);
  if (!found) return Handle(req);
  const auto& p = found->params;
  std::optional<net::Response> refused;
  if (found->label == "store") {
    if (!IsAlnum(p["address"]) || !util::IsValidUtf8(p["path"])) return Handle(req);
    auto auth = AuthorizeModification(req, p["address"], p["path"], true);
    if (!auth) refused = ErrorResponse(auth.error());
  } else if (found->label == "list_files" || found->label == "revoke_all") {
    if (!IsAlnum(p["address"])) return Handle(req);
    const std::string& length = req.Header("content-length");
    std::size_t bytes = 0;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bytes);
    if (!length.empty() && (ec != std::errc{} || end != length.data() + length.size() || bytes > MAX_JSON_BODY)) {
      refused = Fail(HubErrorKind::PayloadTooLarge, "Invalid JSON: too long");
    } else if (auto auth = Authenticate(req, p["address"], found->label == "list_files"); !auth) {
      refused = ErrorResponse(auth.error());
    }
  }
  if (refused) Finish(*refused, found->label, std::chrono::steady_clock::now());
  return refused;
}

std::string Hub::PublicUrl(const std::string& address, const std::string& path) const {
  return m_read_prefix + address + "/" + path;
}

net::Response Hub::Handle(const net::Request& req) {
  auto start = std::chrono::steady_clock::now();
  std::string_view route = "unmatched";
  net::Response res;
  try {
    auto routed = m_router.Dispatch(req);
    res = std::move(routed.response);
    route = routed.label;
  } catch (const std::exception& e) {
    res = ErrorResponse({HubErrorKind::Server, std::string("unexpected failure: ") + e.what()});
  }
  Finish(res, route, start);
  // One line per request, at info: the path as text (no control characters: a
  // hostile path cannot forge log lines), bytes in and out, milliseconds.
  if (spdlog::should_log(spdlog::level::info)) {
    std::string path;
    for (char c : req.path.substr(0, 512)) {
      path += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    spdlog::info("{} {} {} in {} B out {} B {:.1f} ms from {}", req.method, path, res.status, req.body_size,
                 res.body.size(), ms, req.remote_ip.empty() ? "-" : req.remote_ip);
  }
  return res;
}

void Hub::Finish(net::Response& res, std::string_view route, std::chrono::steady_clock::time_point start) {
  AddCors(res);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m_metrics.Add("gaia_requests_total", {{"route", std::string(route)}, {"status", std::to_string(res.status)}});
  m_metrics.Observe("gaia_request_duration_seconds", {{"route", std::string(route)}}, seconds);
}

void Hub::BuildRoutes() {
  // Express matches paths case-insensitively, and so does the original hub.
  net::Router router({.normalise = false, .case_insensitive = true});
  router.SetFallback([](const net::Request& req, unsigned status, const std::string& message) {
    // Express's own answer for a path no route takes, whatever the method.
    if (status == 404 || status == 405) return NotFound(req);
    return ServerError(status, message);
  });
  router.Add("OPTIONS", "/{path...}", "options", [](const net::Request&, const net::PathParams&) {
    net::Response res;
    res.status = 204;
    return res;
  });
  router.Add("OPTIONS", "/", "options", [](const net::Request&, const net::PathParams&) {
    net::Response res;
    res.status = 204;
    return res;
  });
  router.Add("GET", "/hub_info", "hub_info", [this](const net::Request&, const net::PathParams&) { return HubInfo(); });
  router.Add("GET", "/metrics", "metrics", [this](const net::Request&, const net::PathParams&) {
    m_metrics.Set("gaia_auth_cache_hits_total", {}, static_cast<double>(m_auth_cache.Hits()));
    return net::Response::Text(200, m_metrics.Render(), "text/plain; version=0.0.4");
  });
  router.Add("POST", "/store/{address}/{path...}", "store", [this](const net::Request& req, const net::PathParams& p) {
    if (!IsAlnum(p["address"])) return NotFound(req);
    return Store(req, p["address"], p["path"]);
  });
  router.Add("DELETE", "/delete/{address}/{path...}", "delete",
             [this](const net::Request& req, const net::PathParams& p) {
               if (!IsAlnum(p["address"])) return NotFound(req);
               return Delete(req, p["address"], p["path"]);
             });
  for (const char* name : {"list-files", "revoke-all"}) {
    bool list = name[0] == 'l';
    auto handler = [this, list](const net::Request& req, const net::PathParams& p) {
      if (!IsAlnum(p["address"])) return NotFound(req);
      return list ? ListFiles(req, p["address"]) : RevokeAll(req, p["address"]);
    };
    // Whatever follows the address is ignored, as the original's routes did.
    router.Add("POST", std::string("/") + name + "/{address}", list ? "list_files" : "revoke_all", handler);
    router.Add("POST", std::string("/") + name + "/{address}/{ignored...}", list ? "list_files" : "revoke_all",
               handler);
  }
  router.Add("GET", m_read_path + "{top}/{path...}", "read", [this](const net::Request& req, const net::PathParams& p) {
    const std::string& top = p["top"];
    for (char c : top) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return NotFound(req);
    }
    return ReadFile(req, top, p["path"]);
  });
  m_router = std::move(router);
}

net::Response Hub::HubInfo() const {
  ordered_json body;
  body["challenge_text"] = ChallengeText(m_config.server_name);
  body["latest_auth_version"] = "v1";
  double mb = m_config.max_file_upload_size_mb;
  if (mb == std::floor(mb)) body["max_file_upload_size_megabytes"] = static_cast<int64_t>(mb);
  else body["max_file_upload_size_megabytes"] = mb;
  body["read_url_prefix"] = m_read_prefix;
  net::Response res;
  res.body = body.dump();
  res.headers.emplace_back("Content-Type", "application/json");
  return res;
}

HubResult<double> Hub::RevocationTimestamp(const std::string& address) {
  // Shared with other hubs, the timestamp is read every time: a revocation
  // through one hub holds at once on all of them.
  if (!m_config.shared_storage) {
    if (auto cached = m_revocations.Get(address)) return *cached;
  }
  auto stored = m_driver->Read(address + "-auth", "authTimestamp");
  double value = 0;
  if (stored) {
    char* end = nullptr;
    value = std::strtod(stored->data.c_str(), &end);
    if (end == stored->data.c_str() || !std::isfinite(value)) {
      return HubFail(HubErrorKind::Validation, "Invalid authTimestamp stored for bucket " + address);
    }
  } else if (stored.error().code != util::ErrorCode::NotFound) {
    return HubFail(HubErrorKind::Server, "cannot read the revocation timestamp: " + stored.error().message);
  }
  // Zero is cached too: unless the storage is shared, this hub is the only
  // writer of the timestamp file.
  m_revocations.Put(address, value);
  return value;
}

HubResult<Authorization> Hub::Authenticate(const net::Request& req, const std::string& address,
                                           bool check_revocation) {
  double oldest = 0;
  if (check_revocation) {
    BS_GAIA_TRY(oldest, RevocationTimestamp(address));
  }
  BS_GAIA_TRY(Authorization auth,
              m_auth_cache.Validate(req.Header("authorization"), address, m_auth_settings, oldest, NowSeconds()));
  if (m_config.whitelist) {
    const auto& list = *m_config.whitelist;
    if (std::find(list.begin(), list.end(), auth.signer_address) == list.end()) {
      return HubFail(HubErrorKind::Validation, "Address " + auth.signer_address + " not authorized for writes");
    }
  }
  return auth;
}

HubResult<Authorization> Hub::AuthorizeModification(const net::Request& req, const std::string& address,
                                                     const std::string& path, bool store) {
  BS_GAIA_TRY(Authorization auth, Authenticate(req, address, true));
  bool allowed = store ? auth.scopes.AllowsWrite(path) : auth.scopes.AllowsDelete(path);
  if (!allowed || (auth.scopes.HasArchival() && !auth.scopes.AllowsArchival(path))) {
    return HubFail(HubErrorKind::Validation, "Address " + address + " not authorized to " +
                                                 (store ? "write to " : "delete ") + path + " by scopes");
  }
  return auth;
}

net::Response Hub::Store(const net::Request& req, const std::string& address, std::string path) {
  // A name that is not UTF-8 could be stored but not listed (list-files answers
  // JSON): refused before anything is written.
  if (!util::IsValidUtf8(path)) return Fail(HubErrorKind::BadPath, "Invalid file path: not UTF-8");
  // Aliases of one file ("x", "./x", "/x" on disk) share one lock.
  PathGuard guard(*this, m_driver->ObjectKey(address, path));
  if (!guard.Acquired()) {
    return Fail(HubErrorKind::Conflict, "Concurrent operation (store) attempted on " + address + "/" + path);
  }
  auto auth = AuthorizeModification(req, address, path, true);
  if (!auth) return ErrorResponse(auth.error());
  const std::string& if_match = req.Header("if-match");
  const std::string& if_none_match = req.Header("if-none-match");
  bool has_if_match = req.headers.contains("if-match");
  bool has_if_none_match = req.headers.contains("if-none-match");
  if (has_if_match && has_if_none_match) {
    return Fail(HubErrorKind::PreconditionFailed, "Request should not contain both if-match and if-none-match headers");
  }
  if (has_if_none_match && if_none_match != "*") {
    return Fail(HubErrorKind::PreconditionFailed, "Misuse of the if-none-match header. Expected to be * on write requests.");
  }
  WriteCondition condition;
  if (has_if_match && if_match != "*") condition.if_match = if_match;
  condition.if_absent = has_if_none_match;
  // A driver that checks conditions at the storage service does it atomically
  // with the write (hubs sharing the storage); else they are checked here, under
  // this process's lock. An archival write moves the old version away first, so
  // its condition is checked here too.
  const bool storage_checks = m_driver->ChecksConditions() && !auth->scopes.HasArchival();
  if (condition.Any() && !storage_checks) {
    auto stat = m_driver->Stat(address, path);
    if (!stat) return ErrorResponse(FromUtilError(stat.error()));
    if (has_if_match && (!stat->exists || stat->etag != if_match)) {
      return Fail(HubErrorKind::PreconditionFailed, "The provided ETag does not match that of the resource on the server");
    }
    if (has_if_none_match && stat->exists) {
      return Fail(HubErrorKind::PreconditionFailed, "The entity you are trying to create already exists");
    }
  }
  std::string content_type = req.headers.contains("content-type") ? req.Header("content-type") : DEFAULT_CONTENT_TYPE;
  if (content_type.size() > MAX_CONTENT_TYPE) {
    // The original rejects this with an unmapped error (500).
    return ErrorResponse({HubErrorKind::Server, "Content-Type header is over 1024 characters"});
  }
  // Over its bucket's quota, a write is refused before anything changes.
  Usage change;
  const bool limited = m_config.QuotaOf(address).Limited();
  if (limited) {
    auto old = m_driver->Stat(address, path);
    if (!old) return ErrorResponse(FromUtilError(old.error()));
    // An archival write keeps the old version (as a history file).
    const bool replaces = old->exists && !auth->scopes.HasArchival();
    const uint64_t size = req.body_file.empty() ? req.body.size() : req.body_size;
    change.bytes = static_cast<int64_t>(size) - (replaces ? static_cast<int64_t>(old->content_length) : 0);
    change.files = replaces ? 0 : 1;
    if (auto reserved = ReserveQuota(address, change); !reserved) return ErrorResponse(reserved.error());
  }
  if (auth->scopes.HasArchival()) {
    auto moved = m_driver->Rename(address, path, HistoryName(path));
    if (!moved && moved.error().code != util::ErrorCode::NotFound) {
      if (limited) ReleaseQuota(address, change);
      return ErrorResponse(FromUtilError(moved.error()));
    }
  }
  // A large body was spooled to a file by the server.
  // The condition goes to the driver either way: a service that checks it
  // (AWS S3's conditional PUT) closes the gap the check above leaves between
  // processes. Not after an archival write moved the old version away, though:
  // the condition was about that version.
  if (auth->scopes.HasArchival()) condition = {};
  auto etag = req.body_file.empty() ? m_driver->WriteIf(address, path, req.body, content_type, condition)
                                    : m_driver->WriteFileIf(address, path, req.body_file, content_type, condition);
  if (!etag) {
    if (limited) ReleaseQuota(address, change);
    if (condition.Any() && etag.error().code == util::ErrorCode::Conflict &&
        etag.error().message.starts_with("precondition failed")) {
      return Fail(HubErrorKind::PreconditionFailed,
                  condition.if_absent ? "The entity you are trying to create already exists"
                                      : "The provided ETag does not match that of the resource on the server");
    }
    return ErrorResponse(FromUtilError(etag.error()));
  }
  m_metrics.Add("gaia_bytes_written_total", {}, static_cast<double>(req.body_size));
  ordered_json body;
  body["publicURL"] = PublicUrl(address, path);
  body["etag"] = *etag;
  net::Response res;
  res.status = 202;
  res.body = body.dump();
  res.headers.emplace_back("Content-Type", "application/json");
  return res;
}

net::Response Hub::Delete(const net::Request& req, const std::string& address, std::string path) {
  // Aliases of one file ("x", "./x", "/x" on disk) share one lock.
  PathGuard guard(*this, m_driver->ObjectKey(address, path));
  if (!guard.Acquired()) {
    return Fail(HubErrorKind::Conflict, "Concurrent operation (delete) attempted on " + address + "/" + path);
  }
  auto auth = AuthorizeModification(req, address, path, false);
  if (!auth) return ErrorResponse(auth.error());
  std::optional<ObjectStat> removed;
  if (m_config.QuotaOf(address).Limited() && !auth->scopes.HasArchival()) {
    if (auto st = m_driver->Stat(address, path); st && st->exists) removed = *st;
  }
  auto done = auth->scopes.HasArchival() ? m_driver->Rename(address, path, HistoryName(path))
                                         : m_driver->Delete(address, path);
  if (!done) return ErrorResponse(FromUtilError(done.error()));
  if (removed) ReleaseQuota(address, {static_cast<int64_t>(removed->content_length), 1});
  net::Response res;
  res.status = 202;
  return res;
}

HubResult<bool> Hub::ForEachListed(const std::string& address, const std::string& prefix, bool with_stat, int max_pages,
                                   const std::function<void(ListEntry&)>& each) {
  std::optional<std::string> page;
  for (int pages = 0; pages < max_pages; ++pages) {
    auto listed = m_driver->List(address, page, m_config.page_size, with_stat, prefix);
    if (!listed) return HubUnexpected(FromUtilError(listed.error()));
    for (auto& e : listed->entries) each(e);
    if (!listed->page) return true;
    page = listed->page;
  }
  return false;
}

HubResult<void> Hub::ReserveQuota(const std::string& address, Usage change) {
  const BucketQuota& quota = m_config.QuotaOf(address);
  std::lock_guard lock(m_usage_mutex);
  auto it = m_usage.find(address);
  const auto now = std::chrono::steady_clock::now();
  // Other hubs on the same storage change it too: their writes are seen at the
  // next count.
  if (it == m_usage.end() || (m_config.shared_storage && now - it->second.counted > USAGE_RECOUNT)) {
    Usage counted;
    BS_GAIA_TRY_VOID(ForEachListed(address, "", true, 100000, [&](ListEntry& e) {
      counted.bytes += static_cast<int64_t>(e.stat.content_length);
      counted.files += 1;
    }));
    it = m_usage.insert_or_assign(address, CountedUsage{counted, now}).first;
  }
  Usage& used = it->second.usage;
  if (quota.max_bytes > 0 && change.bytes > 0 && used.bytes + change.bytes > static_cast<int64_t>(quota.max_bytes)) {
    return HubFail(HubErrorKind::NoSpace, "Bucket quota exceeded: the bucket holds " + std::to_string(used.bytes) +
                                              " of its " + std::to_string(quota.max_bytes) +
                                              " bytes, and this write needs " + std::to_string(change.bytes) + " more");
  }
  if (quota.max_files > 0 && change.files > 0 && used.files + change.files > static_cast<int64_t>(quota.max_files)) {
    return HubFail(HubErrorKind::NoSpace, "Bucket quota exceeded: the bucket holds " + std::to_string(used.files) +
                                              " of its " + std::to_string(quota.max_files) + " files");
  }
  used.bytes += change.bytes;
  used.files += change.files;
  return {};
}

void Hub::ReleaseQuota(const std::string& address, Usage change) {
  std::lock_guard lock(m_usage_mutex);
  auto it = m_usage.find(address);
  if (it == m_usage.end()) return;
  auto& used = it->second.usage;
  used.bytes = std::max<int64_t>(0, used.bytes - change.bytes);
  used.files = std::max<int64_t>(0, used.files - change.files);
}

net::Response Hub::ListFiles(const net::Request& req, const std::string& address) {
  auto body = JsonBody(req);
  if (!body) return ErrorResponse(body.error());
  auto auth = Authenticate(req, address, true);
  if (!auth) return ErrorResponse(auth.error());
  std::optional<std::string> page;
  bool with_stat = false;
  // Ours (doc/gaia.md): a path prefix, a smaller page, the total, an object's archived versions.
  std::string prefix, versions_of;
  std::size_t page_size = m_config.page_size;
  bool want_total = false;
  if (body->is_object()) {
    auto text = [&](const char* key, std::string* out) -> bool {
      auto it = body->find(key);
      if (it == body->end() || it->is_null()) return true;
      if (!it->is_string() || it->get<std::string>().size() > 4096) return false;
      *out = it->get<std::string>();
      return true;
    };
    if (!text("prefix", &prefix))
      return Fail(HubErrorKind::BadRequest, "prefix must be a string of at most 4096 bytes");
    if (!text("versionsOf", &versions_of) || (body->contains("versionsOf") && !(*body)["versionsOf"].is_null() &&
                                              (versions_of.empty() || versions_of.back() == '/'))) {
      return Fail(HubErrorKind::BadRequest, "versionsOf must be a file's path");
    }
    if (auto it = body->find("pageSize"); it != body->end() && !it->is_null()) {
      if (!it->is_number_unsigned() || it->get<uint64_t>() < 1 || it->get<uint64_t>() > m_config.page_size) {
        return Fail(HubErrorKind::BadRequest,
                    "pageSize must be a whole number from 1 to " + std::to_string(m_config.page_size));
      }
      page_size = it->get<std::size_t>();
    }
    if (auto it = body->find("total"); it != body->end()) want_total = it->is_boolean() && it->get<bool>();
    const json& p = body->contains("page") ? (*body)["page"] : json();
    if (p.is_string() && !p.get<std::string>().empty()) page = p.get<std::string>();
    else if (p.is_number() && p.get<double>() != 0) page = JsNumber(p.get<double>());
    else if (!p.is_null() && !p.is_string() && !p.is_number() && !(p.is_boolean() && !p.get<bool>())) {
      return Fail(HubErrorKind::BadRequest, "Invalid page token");
    }
    const json& s = body->contains("stat") ? (*body)["stat"] : json();
    with_stat = !s.is_null() && !(s.is_boolean() && !s.get<bool>()) && !(s.is_number() && s.get<double>() == 0) &&
                !(s.is_string() && s.get<std::string>().empty());
  }
  // The archived versions of path are {dir}/.history.{ms}.{id}.{file}: listed by
  // their common prefix, then matched on the file's name; newest first.
  std::string history_file;
  if (!versions_of.empty()) {
    auto slash = versions_of.rfind('/');
    prefix = (slash == std::string::npos ? "" : versions_of.substr(0, slash + 1)) + ".history.";
    history_file = slash == std::string::npos ? versions_of : versions_of.substr(slash + 1);
    with_stat = true;
  }
  auto is_version = [&](const std::string& name) {
    // .history.{digits}.{10 chars}.{file}
    std::string_view rest = std::string_view(name).substr(prefix.size());
    auto dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0 ||
        rest.substr(0, dot).find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    rest.remove_prefix(dot + 1);
    return rest.size() == 11 + history_file.size() && rest[10] == '.' && rest.substr(11) == history_file;
  };
  if (!history_file.empty()) {
    // Every version in one answer (a file's archive is small next to a bucket).
    json versions = json::array();
    std::vector<ListEntry> found;
    auto listed = ForEachListed(address, prefix, true, 1000, [&](ListEntry& e) {
      if (is_version(e.name)) found.push_back(std::move(e));
    });
    if (!listed) return ErrorResponse(listed.error());
    std::sort(found.begin(), found.end(), [&](const ListEntry& a, const ListEntry& b) {
      auto ms = [&](const std::string& n) { return std::strtoull(n.c_str() + prefix.size(), nullptr, 10); };
      return ms(a.name) > ms(b.name);
    });
    for (const auto& e : found) versions.push_back(StatEntry(e));
    ordered_json out;
    out["entries"] = versions;
    out["page"] = nullptr;
    out["total"] = found.size();
    net::Response res;
    res.status = 202;
    res.body = out.dump();
    res.headers.emplace_back("Content-Type", "application/json");
    return res;
  }
  auto listed = m_driver->List(address, page, page_size, with_stat, prefix);
  if (!listed) {
    if (listed.error().code == util::ErrorCode::InvalidArgument) {
      return Fail(HubErrorKind::BadRequest, listed.error().message);
    }
    return ErrorResponse(FromUtilError(listed.error()));
  }
  json entries = json::array();
  bool hide_history = auth->scopes.HasArchival();
  for (const auto& e : listed->entries) {
    if (hide_history && IsHistoryFile(e.name)) continue;
    if (!with_stat) {
      entries.push_back(e.name);
      continue;
    }
    entries.push_back(StatEntry(e));
  }
  if (entries.empty() && listed->page && !listed->entries.empty()) entries.push_back(nullptr);
  ordered_json out;
  out["entries"] = entries;
  out["page"] = listed->page ? json(*listed->page) : json(nullptr);
  if (want_total) {
    // Every matching path, counted through the driver's pages (history files
    // hidden as above).
    uint64_t total = 0;
    auto ended = ForEachListed(address, prefix, false, 10000,
                               [&](ListEntry& e) { total += !(hide_history && IsHistoryFile(e.name)); });
    if (!ended) return ErrorResponse(ended.error());
    if (!*ended) return Fail(HubErrorKind::BadRequest, "too many files to count; list them page by page");
    out["total"] = total;
  }
  net::Response res;
  res.status = 202;
  res.body = out.dump();
  res.headers.emplace_back("Content-Type", "application/json");
  return res;
}

net::Response Hub::RevokeAll(const net::Request& req, const std::string& address) {
  auto body = JsonBody(req);
  if (!body) return ErrorResponse(body.error());
  const json& v = body->is_object() && body->contains("oldestValidTimestamp") ? (*body)["oldestValidTimestamp"] : json();
  bool falsy = v.is_null() || (v.is_number() && v.get<double>() == 0) || (v.is_string() && v.get<std::string>().empty()) ||
               (v.is_boolean() && !v.get<bool>());
  if (falsy) return Fail(HubErrorKind::BadRequest, "Invalid JSON: missing oldestValidTimestamp");
  // parseInt semantics: leading digits of a string, the integer part of a number.
  double parsed = NAN;
  if (v.is_number()) {
    parsed = std::trunc(v.get<double>());
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t digits = i + (i < s.size() && (s[i] == '-' || s[i] == '+') ? 1 : 0);
    std::size_t end = digits;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    if (end > digits) parsed = std::strtod(s.substr(i, end - i).c_str(), nullptr);
  }
  if (!std::isfinite(parsed) || parsed < 0 || parsed > 4294967295.0) {
    return Fail(HubErrorKind::BadRequest, "Invalid JSON: oldestValidTimestamp is not a valid integer");
  }
  auto auth = Authenticate(req, address, false);
  if (!auth) return ErrorResponse(auth.error());
  // A timestamp never moves backwards, cached or not, and not when two hubs
  // raise it at once: each raise is conditional on the version it read (on
  // drivers that check conditions at the storage), and read again when it lost.
  const std::string top = address + "-auth";
  for (int attempt = 0;; ++attempt) {
    auto stored = m_driver->Read(top, "authTimestamp");
    if (!stored && stored.error().code != util::ErrorCode::NotFound) {
      return Fail(HubErrorKind::Server, "cannot read the revocation timestamp: " + stored.error().message);
    }
    const double current = stored ? std::strtod(stored->data.c_str(), nullptr) : 0;
    if (!(parsed > current)) {
      m_revocations.Put(address, current);
      break;
    }
    WriteCondition condition;
    if (stored) condition.if_match = stored->stat.etag;
    condition.if_absent = !stored;
    std::string text = std::to_string(static_cast<uint64_t>(parsed));
    auto written = m_driver->WriteIf(top, "authTimestamp", text, "text/plain; charset=UTF-8", condition);
    if (written) {
      m_revocations.Put(address, parsed);
      break;
    }
    if (written.error().code != util::ErrorCode::Conflict || attempt >= 8) {
      return ErrorResponse(FromUtilError(written.error()));
    }
  }
  net::Response res = net::Response::Json(202, {{"status", "success"}});
  return res;
}

net::Response Hub::ReadFile(const net::Request& req, const std::string& top, const std::string& path) {
  if (!CheckPath(path)) return net::Response::Text(400, "Could not return file");
  // A large file goes out a piece at a time: it never sits whole in memory.
  auto found = m_driver->ReadOrStream(top, path, STREAM_ABOVE);
  if (!found) {
    if (found.error().code == util::ErrorCode::NotFound || found.error().code == util::ErrorCode::InvalidArgument) {
      return net::Response::Text(404, "File not found");
    }
    spdlog::error("gaia: read {}/{}: {}", top, path, found.error().message);
    return net::Response::Text(400, "Could not return file");
  }
  auto* whole = std::get_if<ObjectData>(&*found);
  auto* stream = std::get_if<ObjectStream>(&*found);
  const ObjectStat& stat = whole ? whole->stat : stream->stat;
  const std::string& etag = stat.etag;
  net::Response res;
  // A browser must not guess a stored file's type: a text file read as HTML
  // would run in the reader's origin.
  res.With("ETag", etag).With("Access-Control-Expose-Headers", "Content-Type,ETag");
  res.With("X-Content-Type-Options", "nosniff");
  if (stat.last_modified > 0) res.With("Last-Modified", HttpDate(stat.last_modified));
  if (!m_config.cache_control.empty()) res.With("Cache-Control", m_config.cache_control);
  const std::string& inm = req.Header("if-none-match");
  if (!inm.empty()) {
    // A list of tags, quoted or not, weak or not, or "*".
    for (std::string_view tag : util::SplitList(inm, ',')) {
      if (tag.starts_with("W/")) tag.remove_prefix(2);
      std::string_view bare = etag;
      if (bare.size() >= 2 && bare.front() == '"' && bare.back() == '"') bare = bare.substr(1, bare.size() - 2);
      if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
      if (tag == "*" || tag == bare) {
        res.status = 304;
        return res;
      }
    }
  }
  res.status = 200;
  res.With("Content-Type", stat.content_type.empty() ? DEFAULT_CONTENT_TYPE : stat.content_type);
  if (whole) {
    m_metrics.Add("gaia_bytes_read_total", {}, static_cast<double>(whole->data.size()));
    res.body = std::move(whole->data);
  } else {
    m_metrics.Add("gaia_bytes_read_total", {}, static_cast<double>(stat.content_length));
    res.streamed = std::make_shared<net::StreamedBody>(net::StreamedBody{stat.content_length, std::move(stream->read)});
  }
  return res;
}

}  // namespace blockstack::gaia
