#include <util/url.h>

#include <util/bytes.h>

#include <algorithm>
#include <charconv>
#include <cctype>

namespace blockstack::util {
namespace {

Result<uint16_t> ParsePort(std::string_view text, bool allow_zero) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || (value == 0 && !allow_zero) ||
      value > 65535) {
    return Fail(ErrorCode::InvalidArgument, "invalid port '" + std::string(text) + "'");
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string Url::Origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

std::string PercentEncode(std::string_view text, bool keep_slash) {
  static const char HEX[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += HEX[c >> 4];
      out += HEX[c & 15];
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return Fail(ErrorCode::InvalidArgument, "truncated percent escape");
    int hi = HexDigitValue(text[i + 1]);
    int lo = HexDigitValue(text[i + 2]);
    if (hi < 0 || lo < 0) return Fail(ErrorCode::InvalidArgument, "invalid percent escape");
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
  }
  return out;
}

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text, bool allow_zero_port) {
  std::string host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Fail(ErrorCode::InvalidArgument, "expected [ipv6]:port, got '" + std::string(text) + "'");
    }
    host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Fail(ErrorCode::InvalidArgument, "expected host:port, got '" + std::string(text) + "'");
    }
    host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (host.empty()) return Fail(ErrorCode::InvalidArgument, "empty host in '" + std::string(text) + "'");
  BS_TRY(uint16_t p, ParsePort(port, allow_zero_port));
  return std::pair{host, p};
}

Result<Url> ParseUrl(std::string_view text) {
  Url url;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return Fail(ErrorCode::InvalidArgument, "URL has no scheme: expected http://host:port");
  }
  url.scheme = std::string(text.substr(0, sep));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https") {
    return Fail(ErrorCode::InvalidArgument, "unsupported URL scheme '" + url.scheme + "'");
  }
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!url.target.empty() && url.target.front() == '?') url.target = "/" + url.target;

  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    BS_TRY(url.user, PercentDecode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) {
      BS_TRY(url.password, PercentDecode(userinfo.substr(colon + 1)));
    }
  }
  if (authority.empty()) return Fail(ErrorCode::InvalidArgument, "URL has no host");
  bool has_port = false;
  if (authority.front() == '[') {
    has_port = authority.find("]:") != std::string_view::npos;
  } else {
    has_port = authority.find(':') != std::string_view::npos;
  }
  if (has_port) {
    BS_TRY(auto hp, ParseHostPort(authority));
    url.host = hp.first;
    url.port = hp.second;
  } else {
    url.host = std::string(authority.front() == '[' ? authority.substr(1, authority.size() - 2) : authority);
    url.port = url.scheme == "https" ? 443 : 80;
  }
  if (url.host.empty()) return Fail(ErrorCode::InvalidArgument, "URL has no host");
  return url;
}

}  // namespace blockstack::util
