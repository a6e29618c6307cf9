#include <gaia/drivers/azure_driver.h>

#include <chrono>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include <crypto/hash.h>
#include <gaia/drivers/remote.h>
#include <util/base64.h>
#include <util/text.h>
#include <util/url.h>

namespace blockstack::gaia {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr const char* API_VERSION = "2021-12-02";
constexpr const char* HTTP_DATE = "%a, %d %b %Y %H:%M:%S GMT";

class AzureDriver final : public RemoteDriver {
 public:
  AzureDriver(AzureSettings settings, util::Url endpoint, std::string container, std::string cache_control)
      : m_settings(std::move(settings)), m_container(std::move(container)), m_cache_control(std::move(cache_control)) {
    bool default_port =
        (endpoint.scheme == "http" && endpoint.port == 80) || (endpoint.scheme == "https" && endpoint.port == 443);
    m_host = endpoint.host + (default_port ? "" : ":" + std::to_string(endpoint.port));
    std::string base = endpoint.target.substr(0, endpoint.target.find('?'));
    while (!base.empty() && base.back() == '/') base.pop_back();
    m_container_path = base + "/" + util::PercentEncode(m_container, false);
    m_container_url = endpoint.scheme + "://" + m_host + m_container_path;
    m_read_prefix = m_container_url + "/";
    m_pool = std::make_unique<ClientPool>(endpoint.scheme + "://" + endpoint.host + ":" + std::to_string(endpoint.port),
                                          "Azure Blob storage");
  }

  std::string ReadUrlPrefix() const override { return m_public ? m_read_prefix : ""; }
  bool ChecksConditions() const override { return true; }

  util::Status EnsureContainer() {
    BS_TRY(auto made, Send("PUT", "", {{"restype", "container"}}, {{"x-ms-blob-public-access", "blob"}}, ""));
    if (made.status == 201 || (made.status == 409 && ServiceError(made) == "ContainerAlreadyExists")) {
      // An existing container keeps its access level; ask it.
      return CheckPublicAccess();
    }
    if (made.status == 409 && ServiceError(made) == "PublicAccessNotPermitted") {
      spdlog::warn(
          "azure: the account does not allow public blobs: the container is private and reads go "
          "through the hub");
      BS_TRY(auto private_made, Send("PUT", "", {{"restype", "container"}}, {}, ""));
      if (private_made.status != 201 && private_made.status != 409) {
        return Fail(ErrorCode::Unavailable, Describe("create container", private_made));
      }
      m_public = false;
      return util::Ok();
    }
    return Fail(ErrorCode::Unavailable, Describe("create container", made));
  }

  util::Result<std::string> WriteIf(std::string_view top, std::string_view path, std::string_view data,
                                    std::string_view content_type, const WriteCondition& condition) override {
    BS_CHECK_OK(CheckPath(path));
    auto headers = BlobHeaders(content_type, condition);
    headers["x-ms-blob-type"] = "BlockBlob";
    headers["content-type"] = std::string(content_type);
    BS_TRY(auto res, Send("PUT", Key(top, path), {}, headers, data));
    return Written(res, "Put Blob");
  }

  // Block by block from the file: at most one block in memory; a failure leaves
  // only uncommitted blocks, which no reader sees.
  util::Result<std::string> WritePieces(const std::string& key, std::istream& in, std::size_t size, std::string& block,
                                        std::string_view content_type, const WriteCondition& condition) override {
    // Block ids are unique to this upload, so two uploads of one blob (from two
    // hubs) never commit each other's blocks.
    std::random_device random;
    const std::string upload =
        util::ToHex(util::AsBytes(std::to_string(random()) + std::to_string(random()))).substr(0, 24);
    std::string list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
    for (std::size_t offset = 0, n = 0; offset < size; offset += PIECE_SIZE, ++n) {
      block.resize(std::min(PIECE_SIZE, size - offset));
      if (!in.read(block.data(), static_cast<std::streamsize>(block.size()))) {
        return Fail(ErrorCode::IoError, "cannot read the uploaded body");
      }
      std::string id = util::EncodeBase64(util::AsBytes(upload + "-" + std::to_string(1000000 + n)));
      BS_TRY(auto put, Send("PUT", key, {{"comp", "block"}, {"blockid", id}}, {}, block));
      if (put.status != 201) return Fail(ErrorCode::IoError, Describe("Put Block", put));
      list += "<Latest>" + id + "</Latest>";
    }
    list += "</BlockList>";
    auto headers = BlobHeaders(content_type, condition);
    headers["x-ms-blob-content-type"] = std::string(content_type);
    BS_TRY(auto res, Send("PUT", key, {{"comp", "blocklist"}}, headers, list));
    return Written(res, "Put Block List");
  }

  util::Status Delete(std::string_view top, std::string_view path) override {
    BS_CHECK_OK(CheckPath(path));
    BS_TRY(auto res, Send("DELETE", Key(top, path), {}, {}, ""));
    if (res.status == 404) return Fail(ErrorCode::NotFound, "File does not exist");
    if (res.status != 202) return Fail(ErrorCode::IoError, Describe("Delete Blob", res));
    return util::Ok();
  }

  // Copy, then delete the source. A copy the service runs in the background
  // (large blobs on some accounts) is waited for.
  util::Status Rename(std::string_view top, std::string_view path, std::string_view new_path) override {
    BS_CHECK_OK(CheckPath(path));
    BS_CHECK_OK(CheckPath(new_path));
    std::string source = m_container_url + "/" + util::PercentEncode(Key(top, path), true);
    BS_TRY(auto copied, Send("PUT", Key(top, new_path), {}, {{"x-ms-copy-source", source}}, ""));
    if (copied.status == 404) return Fail(ErrorCode::NotFound, "File does not exist");
    if (copied.status != 202 && copied.status != 201) return Fail(ErrorCode::IoError, Describe("Copy Blob", copied));
    std::string status = copied.Header("x-ms-copy-status");
    for (int i = 0; status == "pending" && i < 600; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      BS_TRY(auto head, Send("HEAD", Key(top, new_path), {}, {}, ""));
      status = head.Header("x-ms-copy-status");
    }
    if (status != "success") return Fail(ErrorCode::IoError, "Azure copy of " + std::string(path) + " ended " + status);
    BS_TRY(auto removed, Send("DELETE", Key(top, path), {}, {}, ""));
    if (removed.status != 202 && removed.status != 404)
      return Fail(ErrorCode::IoError, Describe("Delete Blob", removed));
    return util::Ok();
  }

  util::Result<ListPage> List(std::string_view top, const std::optional<std::string>& page, std::size_t page_size,
                              bool with_stat, std::string_view path_prefix) override {
    const std::string prefix = std::string(top) + "/";
    std::map<std::string, std::string> query{{"restype", "container"},
                                             {"comp", "list"},
                                             {"prefix", prefix + std::string(path_prefix)},
                                             {"maxresults", std::to_string(page_size)}};
    if (page) query["marker"] = *page;
    BS_TRY(auto res, Send("GET", "", query, {}, ""));
    if (res.status == 400 && page) return Fail(ErrorCode::InvalidArgument, "invalid page token");
    if (res.status != 200) return Fail(ErrorCode::IoError, Describe("List Blobs", res));
    ListPage out;
    for (auto blob : XmlElements(res.body, "Blob")) {
      std::string name = XmlText(blob, "Name");
      if (name.compare(0, prefix.size(), prefix) != 0) continue;
      ListEntry e;
      e.name = name.substr(prefix.size());
      if (with_stat) {
        e.stat.exists = true;
        e.stat.etag = QuotedEtag(XmlText(blob, "Etag"));
        e.stat.content_length = std::strtoull(XmlText(blob, "Content-Length").c_str(), nullptr, 10);
        e.stat.content_type = XmlText(blob, "Content-Type");
        e.stat.last_modified = ParseTime(XmlText(blob, "Last-Modified"), "%a, %d %b %Y %H:%M:%S");
      }
      out.entries.push_back(std::move(e));
    }
    if (std::string next = XmlText(res.body, "NextMarker"); !next.empty()) out.page = next;
    return out;
  }

 private:
  std::map<std::string, std::string> BlobHeaders(std::string_view content_type, const WriteCondition& condition) {
    std::map<std::string, std::string> headers;
    if (!m_cache_control.empty()) headers["x-ms-blob-cache-control"] = m_cache_control;
    headers["x-ms-blob-content-type"] = std::string(content_type);
    if (condition.if_match) headers["if-match"] = *condition.if_match;
    if (condition.if_absent) headers["if-none-match"] = "*";
    return headers;
  }

  // The answer to the request that made a blob: its ETag, or why not.
  util::Result<std::string> Written(const net::HttpResponse& res, const char* what) const {
    if (res.status == 201) return QuotedEtag(res.Header("etag"));
    // If-Match on a missing blob is 404 (BlobNotFound) for Put Block List.
    if (res.status == 412 || (res.status == 409 && ServiceError(res) == "BlobAlreadyExists") ||
        (res.status == 404 && ServiceError(res) == "BlobNotFound")) {
      return Fail(ErrorCode::Conflict, "precondition failed: " + Describe(what, res));
    }
    return Fail(ErrorCode::IoError, Describe(what, res));
  }

  std::string ServiceError(const net::HttpResponse& res) const override {
    std::string code = res.Header("x-ms-error-code");
    return code.empty() ? XmlText(res.body, "Code") : code;
  }

  const char* ServiceName() const override { return "Azure"; }

  util::Result<net::HttpResponse> Send(const std::string& method, const std::string& key,
                                       const std::map<std::string, std::string>& query,
                                       std::map<std::string, std::string> headers, std::string_view body) override {
    AzureRequest req;
    req.method = method;
    req.path = key.empty() ? m_container_path : m_container_path + "/" + util::PercentEncode(key, true);
    req.query = query;
    headers["x-ms-date"] = util::FormatUtc(std::time(nullptr), HTTP_DATE);
    headers["x-ms-version"] = API_VERSION;
    if (method == "PUT" || method == "POST") headers["content-length"] = std::to_string(body.size());
    req.headers = headers;
    BS_TRY(std::string auth, AzureAuthorization(req, m_settings));
    return m_pool->Send(method, req.path, query, m_host, auth, headers, body);
  }

  AzureSettings m_settings;
  std::string m_container;
  std::string m_cache_control;
  std::string m_host;
  std::string m_container_path;  // URL path of the container: "/devstoreaccount1/hub" or "/hub"
  std::string m_container_url;   // scheme://host[:port] and the container's path
  std::string m_read_prefix;
  bool m_public = true;
  std::unique_ptr<ClientPool> m_pool;

  util::Status CheckPublicAccess() {
    BS_TRY(auto props, Send("GET", "", {{"restype", "container"}, {"comp", "acl"}}, {}, ""));
    if (props.status != 200) return Fail(ErrorCode::Unavailable, Describe("Get Container ACL", props));
    m_public = !props.Header("x-ms-blob-public-access").empty();
    if (!m_public) spdlog::warn("azure: container {} is private: reads go through the hub", m_container);
    return util::Ok();
  }
};

}  // namespace

std::string AzureStringToSign(const AzureRequest& req, const std::string& account) {
  auto header = [&](const char* name) {
    auto it = req.headers.find(name);
    return it == req.headers.end() ? std::string() : it->second;
  };
  std::string length = header("content-length");
  if (length == "0") length.clear();
  std::string out = req.method + "\n" + header("content-encoding") + "\n" + header("content-language") + "\n" + length +
                    "\n" + header("content-md5") + "\n" + header("content-type") + "\n" + header("date") + "\n" +
                    header("if-modified-since") + "\n" + header("if-match") + "\n" + header("if-none-match") + "\n" +
                    header("if-unmodified-since") + "\n" + header("range") + "\n";
  for (const auto& [name, value] : req.headers) {
    if (name.starts_with("x-ms-")) out += name + ":" + std::string(util::TrimBlanks(value)) + "\n";
  }
  out += "/" + account + req.path;
  // Query names are lowercase here (the driver sends no other kind).
  for (const auto& [name, value] : req.query) out += "\n" + name + ":" + value;
  return out;
}

util::Result<std::string> AzureAuthorization(const AzureRequest& req, const AzureSettings& settings) {
  auto key = util::DecodeBase64(settings.account_key);
  if (!key || key->empty()) {
    return Fail(ErrorCode::InvalidArgument, "azCredentials.accountKey is not base64 (copy it from the account's keys)");
  }
  auto mac = crypto::HmacSha256(*key, util::AsBytes(AzureStringToSign(req, settings.account_name)));
  return "SharedKey " + settings.account_name + ":" + util::EncodeBase64(mac.view());
}

util::Result<std::unique_ptr<Driver>> MakeAzureDriver(const AzureSettings& settings, const std::string& container,
                                                      const std::string& cache_control) {
  if (settings.account_name.empty() || settings.account_key.empty()) {
    return Fail(ErrorCode::InvalidArgument,
                "azure driver needs azCredentials.accountName and accountKey (or GAIA_AZURE_ACCOUNT_NAME and "
                "GAIA_AZURE_ACCOUNT_KEY)");
  }
  if (container.empty()) return Fail(ErrorCode::InvalidArgument, "azure driver needs a bucket (container) name");
  std::string endpoint =
      settings.endpoint.empty() ? "https://" + settings.account_name + ".blob.core.windows.net" : settings.endpoint;
  BS_TRY(util::Url url, util::ParseUrl(endpoint));
  if (auto st = AzureAuthorization({}, settings); !st) return Fail(st.error());
  auto driver = std::make_unique<AzureDriver>(settings, url, container, cache_control);
  BS_CHECK_OK(driver->EnsureContainer());
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace blockstack::gaia
