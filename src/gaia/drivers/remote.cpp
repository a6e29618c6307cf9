#include <gaia/drivers/remote.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include <util/url.h>

namespace blockstack::gaia {

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
    if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "quot")
      out += '"';
    else if (ent == "apos")
      out += '\'';
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

util::Result<net::HttpResponse> ClientPool::Send(std::string_view method, std::string_view target,
                                                 const net::HeaderList& headers, std::string_view body) {
  BS_TRY(auto client, Acquire());
  auto res = client->Send(method, target, headers, body);
  if (res) Release(std::move(client));
  return res;
}

util::Result<net::HttpResponse> ClientPool::Send(std::string_view method, const std::string& path,
                                                 const std::map<std::string, std::string>& query,
                                                 const std::string& host, const std::string& authorization,
                                                 const std::map<std::string, std::string>& headers,
                                                 std::string_view body) {
  std::string target = path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    target += sep + util::PercentEncode(k, false) + "=" + util::PercentEncode(v, false);
    sep = '&';
  }
  net::HeaderList list{{"Host", host}, {"Authorization", authorization}};
  for (const auto& [k, v] : headers) list.emplace_back(k, v);
  return Send(method, target, list, body);
}

util::Result<std::unique_ptr<net::HttpClient>> ClientPool::Acquire() {
  {
    std::lock_guard lock(m_mutex);
    if (!m_idle.empty()) {
      auto c = std::move(m_idle.back());
      m_idle.pop_back();
      return c;
    }
  }
  net::HttpClientOptions options;
  options.timeout = std::chrono::seconds(60);
  options.peer_name = m_peer;
  return net::HttpClient::Create(m_origin, options);
}

void ClientPool::Release(std::unique_ptr<net::HttpClient> client) {
  std::lock_guard lock(m_mutex);
  if (m_idle.size() < 32) m_idle.push_back(std::move(client));
}

std::string QuotedEtag(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag;
  return "\"" + etag + "\"";
}

std::string RemoteDriver::Describe(const char* what, const net::HttpResponse& res) const {
  std::string code = ServiceError(res);
  std::string message = XmlText(res.body, "Message");
  if (auto newline = message.find('\n'); newline != std::string::npos) message.resize(newline);
  return std::string(ServiceName()) + " " + what + " failed with HTTP " + std::to_string(res.status) +
         (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message);
}

ObjectStat RemoteDriver::StatFromHeaders(const net::HttpResponse& res) {
  ObjectStat st;
  st.exists = true;
  st.etag = QuotedEtag(res.Header("etag"));
  st.content_length = std::strtoull(res.Header("content-length").c_str(), nullptr, 10);
  st.content_type = res.Header("content-type");
  st.last_modified = ParseTime(res.Header("last-modified"), "%a, %d %b %Y %H:%M:%S");
  return st;
}

util::Result<ObjectStat> RemoteDriver::Stat(std::string_view top, std::string_view path) {
  BS_CHECK_OK(CheckPath(path));
  BS_TRY(auto res, Send("HEAD", Key(top, path), {}, {}, ""));
  if (res.status == 404) return ObjectStat{};
  if (res.status != 200) return util::Fail(util::ErrorCode::IoError, Describe("HEAD", res));
  return StatFromHeaders(res);
}

util::Result<ObjectData> RemoteDriver::Read(std::string_view top, std::string_view path) {
  BS_CHECK_OK(CheckPath(path));
  BS_TRY(auto res, Send("GET", Key(top, path), {}, {}, ""));
  if (res.status == 404) return util::Fail(util::ErrorCode::NotFound, "File does not exist");
  if (res.status != 200) return util::Fail(util::ErrorCode::IoError, Describe("GET", res));
  ObjectData out;
  out.stat = StatFromHeaders(res);
  out.stat.content_length = res.body.size();
  out.data = std::move(res.body);
  return out;
}

util::Result<std::string> RemoteDriver::WriteFileIf(std::string_view top, std::string_view path,
                                                    const std::string& file, std::string_view content_type,
                                                    const WriteCondition& condition) {
  BS_CHECK_OK(CheckPath(path));
  std::ifstream in(file, std::ios::binary);
  if (!in) return util::Fail(util::ErrorCode::IoError, "cannot open the uploaded body");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  std::string piece(std::min(size, PIECE_SIZE), '\0');
  if (size <= PIECE_SIZE) {
    if (!in.read(piece.data(), static_cast<std::streamsize>(size))) {
      return util::Fail(util::ErrorCode::IoError, "cannot read the uploaded body");
    }
    return WriteIf(top, path, piece, content_type, condition);
  }
  return WritePieces(Key(top, path), in, size, piece, content_type, condition);
}

util::Result<ObjectStream> RemoteDriver::OpenRead(std::string_view top, std::string_view path) {
  BS_TRY(ObjectStat stat, Stat(top, path));
  if (!stat.exists) return util::Fail(util::ErrorCode::NotFound, "File does not exist");
  ObjectStream out{stat, nullptr};
  out.read = [this, key = Key(top, path), etag = stat.etag](uint64_t offset,
                                                            std::size_t length) -> util::Result<std::string> {
    if (length == 0) return std::string();
    std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    BS_TRY(auto res, Send("GET", key, {}, {{"range", range}, {"if-match", etag}}, ""));
    if (res.status == 412) return util::Fail(util::ErrorCode::Conflict, "the file changed while it was being read");
    if (res.status != 206 && res.status != 200) return util::Fail(util::ErrorCode::IoError, Describe("GET", res));
    // A service that ignores Range answers the whole object.
    if (res.status == 200) return res.body.substr(std::min<std::size_t>(offset, res.body.size()), length);
    return std::move(res.body);
  };
  return out;
}

}  // namespace blockstack::gaia
