#include <gaia/drivers/s3_driver.h>

#include <gaia/drivers/remote.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include <crypto/hash.h>
#include <net/http_client.h>
#include <util/text.h>
#include <util/url.h>

namespace blockstack::gaia {

using util::ErrorCode;
using util::Fail;

namespace {

std::string Hex(util::ByteView b) { return util::ToHex(b); }

std::string Sha256Hex(std::string_view data) { return Hex(crypto::Sha256(util::AsBytes(data))); }

util::Hash256 Hmac(util::ByteView key, std::string_view data) { return crypto::HmacSha256(key, util::AsBytes(data)); }

std::string Trim(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  // Sequential spaces collapse to one.
  std::string out;
  for (char c : v) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

std::string AmzDate(std::time_t t) { return util::FormatUtc(t, "%Y%m%dT%H%M%SZ"); }

class S3Driver final : public RemoteDriver {
 public:
  S3Driver(S3Settings settings, util::Url endpoint, std::string bucket, std::string cache_control)
      : m_settings(std::move(settings)),
        m_endpoint(std::move(endpoint)),
        m_bucket(std::move(bucket)),
        m_cache_control(std::move(cache_control)) {
    bool default_port = (m_endpoint.scheme == "http" && m_endpoint.port == 80) ||
                        (m_endpoint.scheme == "https" && m_endpoint.port == 443);
    std::string port = default_port ? "" : ":" + std::to_string(m_endpoint.port);
    if (m_settings.path_style) {
      m_host = m_endpoint.host + port;
      m_connect_origin = m_endpoint.scheme + "://" + m_endpoint.host + ":" + std::to_string(m_endpoint.port);
      m_key_prefix = "/" + util::PercentEncode(m_bucket, false) + "/";
      m_read_prefix = m_endpoint.scheme + "://" + m_host + "/" + m_bucket + "/";
    } else {
      m_host = m_bucket + "." + m_endpoint.host + port;
      m_connect_origin =
          m_endpoint.scheme + "://" + m_bucket + "." + m_endpoint.host + ":" + std::to_string(m_endpoint.port);
      m_key_prefix = "/";
      m_read_prefix = m_endpoint.scheme + "://" + m_host + "/";
    }
    m_pool = std::make_unique<ClientPool>(m_connect_origin, "S3");
  }

  std::string ReadUrlPrefix() const override { return m_read_prefix; }

  util::Status EnsureBucket() {
    BS_TRY(auto head, Send("HEAD", "", {}, {}, ""));
    if (head.status == 200) return util::Ok();
    if (head.status != 404) return Fail(ErrorCode::Unavailable, Describe("HEAD bucket", head));
    BS_TRY(auto made, Send("PUT", "", {}, {{"x-amz-acl", "public-read"}}, ""));
    if (made.status != 200 && made.status != 409) return Fail(ErrorCode::Unavailable, Describe("create bucket", made));
    return util::Ok();
  }

  // The condition goes with the PUT: AWS S3 (since 2024) checks it atomically;
  // services that ignore it still have the hub's own check before.
  util::Result<std::string> WriteIf(std::string_view top, std::string_view path, std::string_view data,
                                    std::string_view content_type, const WriteCondition& condition) override {
    BS_CHECK_OK(CheckPath(path));
    std::map<std::string, std::string> headers{{"content-type", std::string(content_type)}};
    if (!m_cache_control.empty()) headers["cache-control"] = m_cache_control;
    if (condition.if_match) headers["if-match"] = *condition.if_match;
    if (condition.if_absent) headers["if-none-match"] = "*";
    BS_TRY(auto res, Send("PUT", Key(top, path), {}, headers, data));
    if (res.status == 412 || (res.status == 409 && ServiceError(res) == "ConditionalRequestConflict")) {
      return Fail(ErrorCode::Conflict, "precondition failed: " + Describe("PUT", res));
    }
    if (res.status != 200) return Fail(ErrorCode::IoError, Describe("PUT", res));
    return res.Header("etag");
  }

  util::Status Delete(std::string_view top, std::string_view path) override {
    BS_TRY(ObjectStat st, Stat(top, path));
    if (!st.exists) return Fail(ErrorCode::NotFound, "File does not exist");
    BS_TRY(auto res, Send("DELETE", Key(top, path), {}, {}, ""));
    if (res.status != 204 && res.status != 200) return Fail(ErrorCode::IoError, Describe("DELETE", res));
    return util::Ok();
  }

  util::Status Rename(std::string_view top, std::string_view path, std::string_view new_path) override {
    BS_CHECK_OK(CheckPath(new_path));
    BS_TRY(ObjectStat st, Stat(top, path));
    if (!st.exists) return Fail(ErrorCode::NotFound, "File does not exist");
    std::string source = "/" + m_bucket + "/" + util::PercentEncode(std::string(top) + "/" + std::string(path), true);
    BS_TRY(auto copied, Send("PUT", Key(top, new_path), {}, {{"x-amz-copy-source", source}}, ""));
    if (copied.status != 200 || copied.body.find("<Error>") != std::string::npos) {
      return Fail(ErrorCode::IoError, Describe("copy", copied));
    }
    BS_TRY(auto removed, Send("DELETE", Key(top, path), {}, {}, ""));
    if (removed.status != 204 && removed.status != 200) return Fail(ErrorCode::IoError, Describe("DELETE", removed));
    return util::Ok();
  }

  util::Result<ListPage> List(std::string_view top, const std::optional<std::string>& page, std::size_t page_size,
                              bool with_stat, std::string_view path_prefix) override {
    std::string prefix = std::string(top) + "/";
    std::map<std::string, std::string> query{{"prefix", prefix + std::string(path_prefix)},
                                             {"max-keys", std::to_string(page_size)}};
    if (page) query["marker"] = *page;
    BS_TRY(auto res, Send("GET", "", query, {}, ""));
    if (res.status != 200) return Fail(ErrorCode::IoError, Describe("list", res));
    ListPage out;
    std::string last_key;
    for (auto contents : XmlElements(res.body, "Contents")) {
      std::string key = XmlText(contents, "Key");
      last_key = key;
      if (key.compare(0, prefix.size(), prefix) != 0) continue;
      ListEntry e;
      e.name = key.substr(prefix.size());
      if (with_stat) {
        e.stat.exists = true;
        e.stat.etag = XmlText(contents, "ETag");
        e.stat.content_length = std::strtoull(XmlText(contents, "Size").c_str(), nullptr, 10);
        e.stat.last_modified = ParseTime(XmlText(contents, "LastModified"), "%Y-%m-%dT%H:%M:%S");
      }
      out.entries.push_back(std::move(e));
    }
    if (XmlText(res.body, "IsTruncated") == "true" && !last_key.empty()) out.page = last_key;
    return out;
  }

 private:
  // A multipart upload of PIECE_SIZE parts; a failure aborts it, so no part
  // stays behind and the object appears whole or not at all.
  util::Result<std::string> WritePieces(const std::string& key, std::istream& in, std::size_t size, std::string& part,
                                        std::string_view content_type, const WriteCondition& condition) override {
    std::map<std::string, std::string> headers{{"content-type", std::string(content_type)}};
    if (!m_cache_control.empty()) headers["cache-control"] = m_cache_control;
    BS_TRY(auto created, Send("POST", key, {{"uploads", ""}}, headers, ""));
    std::string upload_id = XmlText(created.body, "UploadId");
    if (created.status != 200 || upload_id.empty()) {
      return Fail(ErrorCode::IoError, Describe("multipart start", created));
    }
    auto result = UploadParts(key, upload_id, in, size, part, condition);
    // Best effort: the upload's parts go with it.
    if (!result) (void)Send("DELETE", key, {{"uploadId", upload_id}}, {}, "");
    return result;
  }

  util::Result<std::string> UploadParts(const std::string& key, const std::string& upload_id, std::istream& in,
                                        std::size_t size, std::string& part, const WriteCondition& condition) {
    std::string complete = "<CompleteMultipartUpload>";
    for (std::size_t offset = 0, number = 1; offset < size; offset += PIECE_SIZE, ++number) {
      part.resize(std::min(PIECE_SIZE, size - offset));
      if (!in.read(part.data(), static_cast<std::streamsize>(part.size()))) {
        return Fail(ErrorCode::IoError, "cannot read the uploaded body");
      }
      BS_TRY(auto put, Send("PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}}, {}, part));
      if (put.status != 200) return Fail(ErrorCode::IoError, Describe("multipart part", put));
      complete +=
          "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + put.Header("etag") + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    std::map<std::string, std::string> headers;
    if (condition.if_match) headers["if-match"] = *condition.if_match;
    if (condition.if_absent) headers["if-none-match"] = "*";
    BS_TRY(auto done, Send("POST", key, {{"uploadId", upload_id}}, headers, complete));
    if (done.status == 412 || (done.status == 409 && ServiceError(done) == "ConditionalRequestConflict")) {
      return Fail(ErrorCode::Conflict, "precondition failed: " + Describe("multipart complete", done));
    }
    // S3 can answer 200 and still fail the completion, in the body.
    if (done.status != 200 || done.body.find("<Error>") != std::string::npos) {
      return Fail(ErrorCode::IoError, Describe("multipart complete", done));
    }
    std::string etag = XmlText(done.body, "ETag");
    return etag.empty() ? std::string() : QuotedEtag(etag);
  }

  const char* ServiceName() const override { return "S3"; }

  util::Result<net::HttpResponse> Send(const std::string& method, const std::string& key,
                                       const std::map<std::string, std::string>& query,
                                       std::map<std::string, std::string> headers, std::string_view body) override {
    SigV4Request req;
    req.method = method;
    req.host = m_host;
    req.canonical_uri = key.empty() ? (m_settings.path_style ? "/" + util::PercentEncode(m_bucket, false) : "/")
                                    : m_key_prefix + util::PercentEncode(key, true);
    req.query = query;
    req.payload_sha256_hex = Sha256Hex(body);
    std::string amz_date = AmzDate(std::time(nullptr));
    headers["x-amz-date"] = amz_date;
    headers["x-amz-content-sha256"] = req.payload_sha256_hex;
    if (!m_settings.session_token.empty()) headers["x-amz-security-token"] = m_settings.session_token;
    req.headers = headers;
    std::string auth = SigV4Authorization(req, m_settings, amz_date);

    return m_pool->Send(method, req.canonical_uri, query, m_host, auth, headers, body);
  }

  S3Settings m_settings;
  util::Url m_endpoint;
  std::string m_bucket;
  std::string m_cache_control;
  std::string m_host;
  std::string m_connect_origin;
  std::string m_key_prefix;
  std::string m_read_prefix;
  std::unique_ptr<ClientPool> m_pool;
};

}  // namespace

std::string SigV4Authorization(const SigV4Request& req, const S3Settings& settings, const std::string& amz_date) {
  std::map<std::string, std::string> headers = req.headers;
  headers["host"] = req.host;
  std::string canonical_query;
  for (const auto& [k, v] : req.query) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += util::PercentEncode(k, false) + "=" + util::PercentEncode(v, false);
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + Trim(v) + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += k;
  }
  std::string canonical = req.method + "\n" + req.canonical_uri + "\n" + canonical_query + "\n" + canonical_headers +
                          "\n" + signed_headers + "\n" + req.payload_sha256_hex;
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + settings.region + "/s3/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical);
  std::string secret = "AWS4" + settings.secret_access_key;
  auto k_date = Hmac(util::AsBytes(secret), date);
  auto k_region = Hmac(k_date, settings.region);
  auto k_service = Hmac(k_region, "s3");
  auto k_signing = Hmac(k_service, "aws4_request");
  auto signature = Hmac(k_signing, to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + settings.access_key_id + "/" + scope + ",SignedHeaders=" + signed_headers +
         ",Signature=" + Hex(signature);
}

util::Result<std::unique_ptr<Driver>> MakeS3Driver(const S3Settings& settings, const std::string& bucket,
                                                   const std::string& cache_control) {
  std::string endpoint = settings.endpoint.empty() ? "https://s3.amazonaws.com" : settings.endpoint;
  BS_TRY(util::Url url, util::ParseUrl(endpoint));
  if (settings.access_key_id.empty() || settings.secret_access_key.empty()) {
    return Fail(ErrorCode::InvalidArgument, "S3 driver needs awsCredentials.accessKeyId and secretAccessKey");
  }
  if (bucket.empty()) return Fail(ErrorCode::InvalidArgument, "S3 driver needs a bucket name");
  auto driver = std::make_unique<S3Driver>(settings, url, bucket, cache_control);
  BS_CHECK_OK(driver->EnsureBucket());
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace blockstack::gaia
