// The one routing model: patterns with named segments, methods, labels, mounts,
// and one fallback for what no route takes.
#include <net/router.h>

#include <gtest/gtest.h>

namespace blockstack::net {
namespace {

Request Req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

RouteHandler Echo(std::string what) {
  return [what](const Request&, const PathParams& p) {
    std::string body = what;
    for (const char* key : {"name", "hash", "rest"}) {
      if (!p[key].empty()) body += std::string(" ") + key + "=" + p[key];
    }
    return Response::Text(200, body);
  };
}

std::string Header(const Response& res, const std::string& name) {
  for (const auto& [k, v] : res.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(RouterTest, NamedSegmentsAreCapturedAndLabelsReported) {
  Router r;
  r.Add("GET", "/v1/names/{name}", "name", Echo("record"));
  r.Add("GET", "/v1/names/{name}/zonefile/{hash}", "zonefile", Echo("zonefile"));
  auto got = r.Dispatch(Req("GET", "/v1/names/alice.id/zonefile/abc"));
  EXPECT_EQ(got.response.body, "zonefile name=alice.id hash=abc");
  EXPECT_EQ(got.label, "zonefile");
  EXPECT_EQ(r.Dispatch(Req("GET", "/v1/names/alice.id")).response.body, "record name=alice.id");
}

TEST(RouterTest, AnEmptySegmentIsNoParameter) {
  Router r;
  r.Add("GET", "/v1/names/{name}", "name", Echo("record"));
  EXPECT_EQ(r.Dispatch(Req("GET", "/v1/names//")).response.status, 404u);
}

TEST(RouterTest, UnknownPathsAre404AndWrongMethods405WithAllow) {
  Router r;
  r.Add("GET", "/a", "a", Echo("a"));
  r.Add("POST", "/a", "a_post", Echo("a"));
  r.Add("OPTIONS", "/{rest...}", "options", Echo("preflight"));
  auto missing = r.Dispatch(Req("GET", "/b"));
  EXPECT_EQ(missing.response.status, 404u);
  EXPECT_EQ(missing.response.body, R"({"error":"No such endpoint"})");
  EXPECT_EQ(missing.label, "unmatched");
  auto wrong = r.Dispatch(Req("DELETE", "/a"));
  EXPECT_EQ(wrong.response.status, 405u);
  EXPECT_EQ(Header(wrong.response, "Allow"), "GET, POST");
  EXPECT_EQ(r.Dispatch(Req("OPTIONS", "/b")).response.body, "preflight rest=b");
}

TEST(RouterTest, HeadIsAnsweredByGetRoutes) {
  Router r;
  r.Add("GET", "/a", "a", Echo("a"));
  EXPECT_EQ(r.Dispatch(Req("HEAD", "/a")).response.status, 200u);
}

TEST(RouterTest, NormalisingRoutersMatchAsNormpath) {
  Router r({.normalise = true});
  r.Add("GET", "/v1/names/{name}", "name", Echo("record"));
  EXPECT_EQ(r.Dispatch(Req("GET", "/v1//names/./x/../alice.id/")).response.body, "record name=alice.id");
  EXPECT_EQ(r.Dispatch(Req("GET", "/../../v1/names/bob")).response.body, "record name=bob");
}

TEST(RouterTest, RawRoutersKeepEverySegmentButOneTrailingSlash) {
  Router r;
  r.Add("POST", "/store/{name}/{rest...}", "store", Echo("store"));
  EXPECT_EQ(r.Dispatch(Req("POST", "/store/addr/a//b/")).response.body, "store name=addr rest=a//b");
  EXPECT_EQ(r.Dispatch(Req("POST", "/store/addr/./x")).response.body, "store name=addr rest=./x");
  EXPECT_EQ(r.Dispatch(Req("POST", "/store/addr/")).response.status, 404u);
  EXPECT_EQ(r.Dispatch(Req("POST", "/store/addr//")).response.status, 404u);
}

TEST(RouterTest, CaseInsensitiveLiteralsKeepParameterCase) {
  Router r({.case_insensitive = true});
  r.Add("GET", "/hub_info", "hub_info", Echo("info"));
  r.Add("GET", "/read/{name}", "read", Echo("read"));
  EXPECT_EQ(r.Dispatch(Req("GET", "/HUB_INFO/")).response.body, "info");
  EXPECT_EQ(r.Dispatch(Req("GET", "/Read/AbC")).response.body, "read name=AbC");
}

TEST(RouterTest, MountsTakeTheirPrefixWithTheirOwnFallback) {
  Router atlas;
  atlas.Add("GET", "/v1/atlas/ping", "atlas_ping", Echo("pong"));
  atlas.SetFallback([](const Request&, unsigned status, const std::string&) {
    return Response::Json(status, {{"error", "No such Atlas method"}});
  });
  Router top;
  top.Add("GET", "/v1/info", "info", Echo("info"));
  top.Mount("/v1/atlas", atlas);
  top.SetDefault([](const Request&) { return Routed{Response::Text(200, "default"), "api"}; });
  EXPECT_EQ(top.Dispatch(Req("GET", "/v1/atlas/ping")).label, "atlas_ping");
  EXPECT_EQ(top.Dispatch(Req("GET", "/v1/atlas/nothing")).response.body, R"({"error":"No such Atlas method"})");
  EXPECT_EQ(top.Dispatch(Req("GET", "/v1/atlasx")).label, "api");
  EXPECT_EQ(top.Dispatch(Req("GET", "/v1/info")).label, "info");
}

TEST(RouterTest, TheFallbackRendersServerRejections) {
  Router r;
  r.SetFallback([](const Request&, unsigned status, const std::string& message) {
    return Response::Json(status, {{"message", message}});
  });
  auto render = r.ErrorRenderer();
  auto res = render(431, "request headers too large");
  EXPECT_EQ(res.status, 431u);
  EXPECT_EQ(res.body, R"({"message":"request headers too large"})");
}

}  // namespace
}  // namespace blockstack::net
