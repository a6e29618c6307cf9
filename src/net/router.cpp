#include <net/router.h>

#include <cassert>

namespace blockstack::net {

namespace {

const std::string EMPTY;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

const std::string& PathParams::operator[](std::string_view name) const {
  for (const auto& [key, value] : m_values) {
    if (key == name) return value;
  }
  return EMPTY;
}

void PathParams::Set(std::string_view name, std::string value) { m_values.emplace_back(name, std::move(value)); }

Response JsonFallback(const Request&, unsigned status, const std::string& message) {
  return Response::Json(status, {{"error", message}});
}

Router::Router(Options options) : m_options(options), m_fallback(&JsonFallback) {}

Router::SplitPath Router::Split(std::string_view path) const {
  SplitPath out;
  if (m_options.normalise) {
    // posixpath.normpath: empty and "." segments drop out, ".." pops one.
    std::vector<std::string_view> kept;
    std::size_t pos = 0;
    while (pos <= path.size()) {
      auto slash = path.find('/', pos);
      if (slash == std::string_view::npos) slash = path.size();
      std::string_view part = path.substr(pos, slash - pos);
      if (part == "..") {
        if (!kept.empty()) kept.pop_back();
      } else if (!part.empty() && part != ".") {
        kept.push_back(part);
      }
      pos = slash + 1;
    }
    for (auto part : kept) out.text.append("/").append(part);
  } else {
    out.text.assign(path);
    // One trailing '/' is not a segment of its own.
    if (out.text.size() > 1 && out.text.back() == '/') out.text.pop_back();
  }
  std::string_view text = out.text;
  std::size_t pos = text.starts_with('/') ? 1 : 0;
  while (pos < text.size() || (pos == text.size() && pos > 1 && text[pos - 1] == '/')) {
    auto slash = text.find('/', pos);
    if (slash == std::string_view::npos) slash = text.size();
    out.segments.push_back(text.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool Router::LiteralEquals(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  if (!m_options.case_insensitive) return a == b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

Router& Router::Add(std::string_view method, std::string_view pattern, std::string label, RouteHandler handler) {
  Route route{std::string(method), {}, std::move(label), std::move(handler)};
  assert(pattern.starts_with('/'));
  std::size_t pos = 1;
  while (pos <= pattern.size() && pattern.size() > 1) {
    auto slash = pattern.find('/', pos);
    if (slash == std::string_view::npos) slash = pattern.size();
    std::string_view part = pattern.substr(pos, slash - pos);
    assert(!part.empty());
    assert(route.pattern.empty() || !route.pattern.back().rest);  // {name...} comes last
    Segment seg;
    if (part.starts_with('{') && part.ends_with('}')) {
      seg.param = true;
      part = part.substr(1, part.size() - 2);
      if (part.ends_with("...")) {
        seg.rest = true;
        part.remove_suffix(3);
      }
    }
    seg.text.assign(part);
    route.pattern.push_back(std::move(seg));
    pos = slash + 1;
  }
  m_routes.push_back(std::move(route));
  return *this;
}

Router& Router::Mount(std::string_view prefix, const Router& sub) {
  Mounted m{{}, &sub};
  for (auto part : Split(prefix).segments) m.prefix.emplace_back(part);
  m_mounts.push_back(std::move(m));
  return *this;
}

Router& Router::SetDefault(std::function<Routed(const Request&)> handler) {
  m_default = std::move(handler);
  return *this;
}

Router& Router::SetFallback(FallbackHandler fallback) {
  m_fallback = std::move(fallback);
  return *this;
}

bool Router::Matches(const Route& route, const SplitPath& path, PathParams* params) const {
  const auto& segs = path.segments;
  std::size_t i = 0;
  for (const auto& seg : route.pattern) {
    if (seg.rest) {
      if (i >= segs.size()) return false;
      std::string_view tail = std::string_view(path.text).substr(segs[i].data() - path.text.data());
      if (tail.empty()) return false;
      if (params) params->Set(seg.text, std::string(tail));
      return true;
    }
    if (i >= segs.size()) return false;
    if (seg.param) {
      if (segs[i].empty()) return false;
      if (params) params->Set(seg.text, std::string(segs[i]));
    } else if (!LiteralEquals(seg.text, segs[i])) {
      return false;
    }
    ++i;
  }
  return i == segs.size();
}

Routed Router::Answer(const Request& req, unsigned status, const std::string& allow) const {
  Response res = m_fallback(req, status, status == 405 ? "Method not allowed" : "No such endpoint");
  if (status == 405) res.With("Allow", allow);
  return {std::move(res), "unmatched"};
}

Routed Router::Dispatch(const Request& req) const {
  const SplitPath path = Split(req.path);
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  std::string allow;
  for (const auto& route : m_routes) {
    if (!Matches(route, path, nullptr)) continue;
    if (route.method != method) {
      // Preflight routes usually take every path: they make no path "known".
      if (route.method != "OPTIONS" && allow.find(route.method) == std::string::npos) {
        allow += (allow.empty() ? "" : ", ") + route.method;
      }
      continue;
    }
    PathParams params;
    Matches(route, path, &params);
    return {route.handler(req, params), route.label};
  }
  if (!allow.empty()) return Answer(req, 405, allow);
  for (const auto& mount : m_mounts) {
    if (mount.prefix.size() > path.segments.size()) continue;
    bool under = true;
    for (std::size_t i = 0; i < mount.prefix.size() && under; ++i)
      under = LiteralEquals(mount.prefix[i], path.segments[i]);
    if (under) return mount.router->Dispatch(req);
  }
  if (m_default) return m_default(req);
  return Answer(req, 404, "");
}

std::optional<Router::Found> Router::Find(const Request& req) const {
  const SplitPath path = Split(req.path);
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  for (const auto& route : m_routes) {
    if (route.method != method || !Matches(route, path, nullptr)) continue;
    Found found{route.label, {}};
    Matches(route, path, &found.params);
    return found;
  }
  return std::nullopt;
}

std::function<Response(unsigned, const std::string&)> Router::ErrorRenderer() const {
  return [this](unsigned status, const std::string& message) {
    Request none;
    return m_fallback(none, status, message);
  };
}

}  // namespace blockstack::net
