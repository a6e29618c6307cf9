#include <gaia/drivers/s3_driver.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <mutex>
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

int64_t ParseTime(const std::string& text, const char* format) {
  std::tm tm{};
  if (!strptime(text.c_str(), format, &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (!ent.empty() && ent[0] == '#') {
      unsigned long code = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                               ? std::strtoul(std::string(ent.substr(2)).c_str(), nullptr, 16)
                               : std::strtoul(std::string(ent.substr(1)).c_str(), nullptr, 10);
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
    } else {
      out += std::string(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// The text of every <tag>...</tag> inside xml, in order.
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  std::size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    auto start = pos + open.size();
    auto end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

std::string XmlText(std::string_view xml, std::string_view tag) {
  auto all = XmlElements(xml, tag);
  return all.empty() ? std::string() : XmlUnescape(all.front());
}

class S3Driver final : public Driver {
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

  util::Result<std::string> Write(std::string_view top, std::string_view path, std::string_view data,
                                  std::string_view content_type) override {
    BS_CHECK_OK(CheckPath(path));
    std::map<std::string, std::string> headers{{"content-type", std::string(content_type)}};
    if (!m_cache_control.empty()) headers["cache-control"] = m_cache_control;
    BS_TRY(auto res, Send("PUT", Key(top, path), {}, headers, data));
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

  util::Result<ObjectStat> Stat(std::string_view top, std::string_view path) override {
    BS_CHECK_OK(CheckPath(path));
    BS_TRY(auto res, Send("HEAD", Key(top, path), {}, {}, ""));
    if (res.status == 404) return ObjectStat{};
    if (res.status != 200) return Fail(ErrorCode::IoError, Describe("HEAD", res));
    return StatFromHeaders(res);
  }

  util::Result<ObjectData> Read(std::string_view top, std::string_view path) override {
    BS_CHECK_OK(CheckPath(path));
    BS_TRY(auto res, Send("GET", Key(top, path), {}, {}, ""));
    if (res.status == 404) return Fail(ErrorCode::NotFound, "File does not exist");
    if (res.status != 200) return Fail(ErrorCode::IoError, Describe("GET", res));
    ObjectData out;
    out.stat = StatFromHeaders(res);
    out.stat.content_length = res.body.size();
    out.data = std::move(res.body);
    return out;
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
  std::string Key(std::string_view top, std::string_view path) const {
    return std::string(top) + "/" + std::string(path);
  }

  static ObjectStat StatFromHeaders(const net::HttpResponse& res) {
    ObjectStat st;
    st.exists = true;
    st.etag = res.Header("etag");
    st.content_length = std::strtoull(res.Header("content-length").c_str(), nullptr, 10);
    st.content_type = res.Header("content-type");
    st.last_modified = ParseTime(res.Header("last-modified"), "%a, %d %b %Y %H:%M:%S");
    return st;
  }

  static std::string Describe(const char* what, const net::HttpResponse& res) {
    std::string code = XmlText(res.body, "Code");
    std::string message = XmlText(res.body, "Message");
    return std::string("S3 ") + what + " failed with HTTP " + std::to_string(res.status) +
           (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message);
  }

  // key "" addresses the bucket itself.
  util::Result<net::HttpResponse> Send(const std::string& method, const std::string& key,
                                       const std::map<std::string, std::string>& query,
                                       std::map<std::string, std::string> headers, std::string_view body) {
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

    std::string target = req.canonical_uri;
    if (!query.empty()) {
      char sep = '?';
      for (const auto& [k, v] : query) {
        target += sep + util::PercentEncode(k, false) + "=" + util::PercentEncode(v, false);
        sep = '&';
      }
    }
    net::HeaderList list{{"Host", m_host}, {"Authorization", auth}};
    for (const auto& [k, v] : headers) list.emplace_back(k, v);
    BS_TRY(auto client, Acquire());
    auto res = client->Send(method, target, list, body);
    if (res) Release(std::move(client));
    return res;
  }

  util::Result<std::unique_ptr<net::HttpClient>> Acquire() {
    {
      std::lock_guard lock(m_pool_mutex);
      if (!m_pool.empty()) {
        auto c = std::move(m_pool.back());
        m_pool.pop_back();
        return c;
      }
    }
    net::HttpClientOptions options;
    options.timeout = std::chrono::seconds(60);
    options.peer_name = "S3";
    return net::HttpClient::Create(m_connect_origin, options);
  }

  void Release(std::unique_ptr<net::HttpClient> client) {
    std::lock_guard lock(m_pool_mutex);
    if (m_pool.size() < 32) m_pool.push_back(std::move(client));
  }

  S3Settings m_settings;
  util::Url m_endpoint;
  std::string m_bucket;
  std::string m_cache_control;
  std::string m_host;
  std::string m_connect_origin;
  std::string m_key_prefix;
  std::string m_read_prefix;
  std::mutex m_pool_mutex;
  std::vector<std::unique_ptr<net::HttpClient>> m_pool;
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
