// The one routing model of every HTTP server here (the node's REST API, Atlas, the
// DHT record routes, gaia-hub): a table of (method, path pattern, metrics label,
// handler), looked up per request.
//
// Patterns are '/'-separated segments:
//   literal    matches itself (ASCII case-insensitively with Options::case_insensitive)
//   {name}     one non-empty segment, captured under name
//   {name...}  last only: the rest of the path as sent (at least one character),
//              slashes and all, captured under name
// A request's path is split on '/'. With Options::normalise, empty and "."
// segments drop out and ".." takes one off (posixpath.normpath, as the original
// node did); otherwise one trailing '/' is ignored and every other segment counts.
//
// GET routes answer HEAD too (the server sends no body). Routes are tried in the
// order they were added; the first whose pattern and method match answers.
// Mounted routers are tried, in order, after the routes that match exactly; a
// mount's own fallback answers the requests under its prefix that it has no
// route for.
//
// What matches no route gets one answer from the router's fallback, with the
// status that says why: 404 (no route has this path) or 405 (routes have this
// path, none with this method; `allow` lists theirs). A server's malformed
// requests (400, 413, 431) are rendered by the same function, through
// ServerOptions::error_response.
//
// Building a router is not thread-safe; Dispatch on a built router is, and does
// not allocate beyond the captured parameters.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <net/http_server.h>

namespace blockstack::net {

// Parameters captured from a path, in pattern order.
class PathParams {
 public:
  // The value captured under name; "" when the pattern has no such parameter.
  const std::string& operator[](std::string_view name) const;
  void Set(std::string_view name, std::string value);
  std::size_t Size() const { return m_values.size(); }

 private:
  std::vector<std::pair<std::string_view, std::string>> m_values;
};

using RouteHandler = std::function<Response(const Request&, const PathParams&)>;

// The answer for a request the router has no route for: status 404 ("No such
// endpoint") or 405 ("Method not allowed"; the router adds the Allow header).
// Also renders the server's own rejections (400, 413, 431) with the server's
// message; req is then empty but for what was parsed.
using FallbackHandler = std::function<Response(const Request& req, unsigned status, const std::string& message)>;

struct Routed {
  Response response;
  std::string_view label;  // the matched route's label, or "unmatched"
};

class Router {
 public:
  struct Options {
    bool normalise = false;         // posixpath.normpath on the path before matching
    bool case_insensitive = false;  // literal segments match ASCII case-insensitively
  };
  // The fallback answers {"error": "..."} JSON until SetFallback.
  explicit Router(Options options);
  Router() : Router(Options{}) {}

  // Adds a route. method is "GET", "POST", ... label names the route in metrics.
  // A malformed pattern is a bug (asserts).
  Router& Add(std::string_view method, std::string_view pattern, std::string label, RouteHandler handler);
  // Requests whose path starts with prefix's segments go to sub when no route of
  // this router matches them. sub must outlive this router.
  Router& Mount(std::string_view prefix, const Router& sub);
  // Requests nothing here matches go to handler instead of the fallback (a server
  // that composes a part that routes by itself).
  Router& SetDefault(std::function<Routed(const Request&)> handler);
  Router& SetFallback(FallbackHandler fallback);

  // Answers req. A handler's exception passes through (the owner or the server
  // turns it into a 500).
  Routed Dispatch(const Request& req) const;
  // The route of this router (not of its mounts) that would answer req, with
  // its captured parameters; nullopt when none would.
  struct Found {
    std::string_view label;
    PathParams params;
  };
  std::optional<Found> Find(const Request& req) const;
  // ServerOptions::error_response bound to this router's fallback. The router
  // must outlive the server.
  std::function<Response(unsigned, const std::string&)> ErrorRenderer() const;

  // A path as this router sees it: its segments, and where each starts in text
  // (the path itself, or its normalised form).
  struct SplitPath {
    std::string text;
    std::vector<std::string_view> segments;
  };
  SplitPath Split(std::string_view path) const;

 private:
  struct Segment {
    std::string text;
    bool param = false;
    bool rest = false;
  };
  struct Route {
    std::string method;
    std::vector<Segment> pattern;
    std::string label;
    RouteHandler handler;
  };
  struct Mounted {
    std::vector<std::string> prefix;
    const Router* router;
  };
  // Whether route's pattern matches the path (ignoring the method); fills params.
  bool Matches(const Route& route, const SplitPath& path, PathParams* params) const;
  bool LiteralEquals(std::string_view a, std::string_view b) const;
  Routed Answer(const Request& req, unsigned status, const std::string& allow) const;

  Options m_options;
  std::vector<Route> m_routes;
  std::vector<Mounted> m_mounts;
  std::function<Routed(const Request&)> m_default;
  FallbackHandler m_fallback;
};

// The fallback most routers use: {"error": message} as JSON.
Response JsonFallback(const Request& req, unsigned status, const std::string& message);

}  // namespace blockstack::net
