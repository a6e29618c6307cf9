#include <explorer/explorer.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include <explorer/assets.h>
#include <explorer/detail/parts.h>
#include <explorer/html.h>
#include <util/text.h>
#include <util/url.h>
#include <zonefile/zonefile.h>

namespace blockstack::explorer {

using nlohmann::json;

namespace detail {

constexpr const char* CSP =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "connect-src 'self' http: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const json& At(const json& j, std::string_view key) {
  static const json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

std::string Str(const json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  if (it->is_number_float()) return it->dump();
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return {};
}

std::optional<uint64_t> Num(const json& j, std::string_view key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer() && it->get<int64_t>() >= 0) return static_cast<uint64_t>(it->get<int64_t>());
  if (it->is_string()) return util::ParseDecimal(it->get<std::string>());
  return std::nullopt;
}

bool IsHex(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

bool WantsJson(const net::Request& req) {
  auto it = req.query.find("format");
  return it != req.query.end() && it->second == "json";
}

std::string NameHref(std::string_view name) { return "/explorer/names/" + UrlPart(name); }
std::string BlockHref(uint64_t height) { return "/explorer/blocks/" + std::to_string(height); }
std::string AddressHref(std::string_view a) { return "/explorer/addresses/" + UrlPart(a); }
std::string TransactionHref(std::string_view txid) { return "/explorer/transactions/" + UrlPart(txid); }
std::string BucketHref(std::string_view url) { return "/explorer/bucket?url=" + UrlPart(url); }
std::string NamespaceHref(std::string_view id) { return "/explorer/namespaces/" + UrlPart(id); }

net::Response Respond(const net::Request& req, unsigned status, const json& model, const PageShell& shell,
                      const std::function<std::string()>& body) {
  if (WantsJson(req)) return WithPageHeaders(net::Response::Json(status, model));
  return WithPageHeaders(net::Response::Text(status, Page(shell, body()), "text/html; charset=utf-8"));
}

net::Response ErrorPage(const net::Request& req, unsigned status, const std::string& title, const std::string& message,
                        const std::string& search) {
  json model = {{"error", message}};
  PageShell shell{title, {}, search, "explorer.js"};
  return Respond(req, status, model, shell, [&] {
    Html h;
    h.Element("h1", title).Element("p", message, "class=\"error\"");
    return h.Take();
  });
}

// The records of a zone file, as a table (a file that does not parse: the reason).
std::string ZonefileRecords(std::string_view text) {
  Html h;
  auto zf = zonefile::ParseZonefile(text);
  if (!zf) {
    h.Element("p", "Not a zone file: " + zf.error().message, "class=\"note\"");
    return h.Take();
  }
  h.Raw("<table class=\"records\"><thead><tr><th>name</th><th>type</th><th>value</th></tr></thead><tbody>");
  for (const auto& rec : zf->records) {
    std::string value;
    for (const auto& f : rec.fields) value += (value.empty() ? "" : " ") + f;
    h.Raw("<tr><td>").Text(rec.name).Raw("</td><td>").Text(rec.type).Raw("</td><td>").Text(value).Raw("</td></tr>");
  }
  h.Raw("</tbody></table>");
  return h.Take();
}

std::string Diff(std::string_view before, std::string_view after) {
  Html h;
  h.Raw("<pre class=\"diff\">");
  for (const auto& line : DiffLines(before, after)) {
    const char* cls = line.kind == '+' ? "add" : line.kind == '-' ? "del" : "same";
    h.Raw("<span class=\"").Raw(cls).Raw("\">").Text(std::string(1, line.kind) + " " + line.text).Raw("</span>\n");
  }
  h.Raw("</pre>");
  return h.Take();
}

}  // namespace detail

using namespace detail;

net::Response WithPageHeaders(net::Response r) {
  r.With("Content-Security-Policy", CSP);
  r.With("X-Content-Type-Options", "nosniff");
  r.With("Referrer-Policy", "no-referrer");
  r.With("Cache-Control", "no-cache");
  return r;
}

Explorer::Explorer(ApiCall api, ExplorerSettings settings) : m_api(std::move(api)), m_settings(std::move(settings)) {
  auto add = [this](std::string_view pattern, std::string label,
                    net::Response (Explorer::*handler)(const net::Request&, const Params&)) {
    m_router.Add("GET", pattern, std::move(label),
                 [this, handler](const net::Request& req, const Params& p) { return (this->*handler)(req, p); });
  };
  m_router.Add("GET", "/explorer", "explorer", [this](const net::Request& req, const Params&) { return Home(req); });
  add("/explorer/search", "explorer_search", &Explorer::Search);
  add("/explorer/names/{name}", "explorer_name", &Explorer::Name);
  add("/explorer/names/{name}/expiry.ics", "explorer_name", &Explorer::NameCalendar);
  add("/explorer/namespaces/{id}", "explorer_namespace", &Explorer::Namespace);
  add("/explorer/addresses/{address}", "explorer_address", &Explorer::Address);
  add("/explorer/blocks/{height}", "explorer_block", &Explorer::Block);
  add("/explorer/transactions/{txid}", "explorer_transaction", &Explorer::Transaction);
  add("/explorer/bucket", "explorer_bucket", &Explorer::Bucket);
  add("/explorer/assets/{file}", "explorer_asset", &Explorer::Asset);
  m_router.SetFallback([](const net::Request& req, unsigned status, const std::string& message) {
    return ErrorPage(req, status, status == 404 ? "Not found" : "Bad request",
                     status == 404 ? "The explorer has no page at this address." : message);
  });
}

Explorer::Answer Explorer::Get(std::string path, std::map<std::string, std::string> query) const {
  net::Request req;
  req.method = "GET";
  req.path = std::move(path);
  req.target = req.path;
  req.query = std::move(query);
  req.remote_ip = "127.0.0.1";
  net::Response r = m_api(req);
  Answer a;
  a.status = r.status;
  a.body = json::parse(r.body, nullptr, false);
  if (a.body.is_discarded()) a.body = json();
  return a;
}

std::string Explorer::DateOfBlock(uint64_t height, uint64_t last_block) const {
  const double delta = (static_cast<double>(height) - static_cast<double>(last_block)) * m_settings.block_seconds;
  return util::FormatUtc(m_settings.now() + static_cast<int64_t>(delta), "%Y-%m-%d %H:%M UTC");
}

// --- home ---

net::Response Explorer::Home(const net::Request& req) {
  Answer info = Get("/v1/info");
  Answer names = Get("/v1/blockchains/bitcoin/name_count");
  Answer subs = Get("/v1/blockchains/bitcoin/subdomains_count");
  json model = {{"info", info.body}, {"names_count", Num(names.body, "names_count").value_or(0)}};
  model["subdomains_count"] = subs.Ok() ? json(Num(subs.body, "names_count").value_or(0)) : json(nullptr);
  // The newest operations: back from the last block, up to 25 of them in at most 50 blocks.
  json recent = json::array();
  const uint64_t last = Num(info.body, "last_block_processed").value_or(0);
  for (uint64_t h = last, seen = 0; h > 0 && seen < 50 && recent.size() < 25; --h, ++seen) {
    Answer block = Get("/v1/blocks/" + std::to_string(h));
    if (!block.Ok()) break;
    for (const auto& op : At(block.body, "operations")) {
      json entry = op;
      entry["block"] = h;
      recent.push_back(std::move(entry));
    }
  }
  model["recent_operations"] = recent;
  PageShell shell{"Home", "/explorer?format=json", "", "explorer.js"};
  return Respond(req, info.Ok() ? 200 : 503, model, shell, [&] {
    Html h;
    const json& i = info.body;
    const uint64_t seen = Num(i, "last_block_seen").value_or(0);
    h.Element("h1", "Blockstack on " + m_settings.network);
    h.Raw("<section class=\"cards\" id=\"status\" data-last-block=\"").Number(last).Raw("\">");
    auto card = [&](std::string_view label, const std::string& value, std::string_view id) {
      h.Raw("<div class=\"card\"><div class=\"label\">").Text(label).Raw("</div><div class=\"value\" id=\"");
      h.Raw(id).Raw("\">").Text(value).Raw("</div></div>");
    };
    card("node tip", std::to_string(last), "tip");
    card("chain tip", std::to_string(seen), "chain-tip");
    const double progress = seen ? std::min(100.0, 100.0 * static_cast<double>(last) / static_cast<double>(seen)) : 0;
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.1f%%", progress);
    card("sync", pct, "sync");
    card("names", std::to_string(model["names_count"].get<uint64_t>()), "names");
    card("subdomains", model["subdomains_count"].is_null() ? "index off" : model["subdomains_count"].dump(),
         "subdomains");
    const uint64_t slots = Num(i, "zonefile_count").value_or(0), present = Num(i, "zonefiles_present").value_or(0);
    card("zone files held", std::to_string(present) + " of " + std::to_string(slots), "zonefiles");
    card("Atlas peers", std::to_string(Num(i, "atlas_peers").value_or(0)), "peers");
    card("consensus hash", Str(i, "consensus"), "consensus");
    h.Raw(
        "</section>\n<h2>Recent operations</h2>\n<table class=\"ops\" id=\"feed\"><thead><tr><th>block</th>"
        "<th>operation</th><th>name</th><th>outcome</th><th>transaction</th></tr></thead><tbody>");
    for (const auto& op : recent) {
      const uint64_t b = Num(op, "block").value_or(0);
      const std::string name = Str(At(op, "record"), "name"), ns = Str(At(op, "record"), "namespace_id");
      h.Raw("<tr><td>").Link(BlockHref(b), std::to_string(b)).Raw("</td><td>").Text(Str(op, "opcode"));
      h.Raw("</td><td>");
      if (!name.empty()) {
        h.Link(NameHref(name), name);
      } else if (!ns.empty()) {
        h.Link(NamespaceHref(ns), ns);
      }
      const bool accepted = (At(op, "accepted") == true);
      h.Raw("</td><td class=\"")
          .Raw(accepted ? "ok" : "bad")
          .Raw("\">")
          .Text(accepted ? "accepted" : Str(op, "reason"));
      h.Raw("</td><td class=\"hash\">").Link(TransactionHref(Str(op, "txid")), Str(op, "txid"));
      h.Raw("</td></tr>\n");
    }
    h.Raw("</tbody></table>");
    if (recent.empty()) h.Element("p", "No operations in the last 50 blocks.", "class=\"note\" id=\"feed-empty\"");
    return h.Take();
  });
}

// --- search ---

net::Response Explorer::Search(const net::Request& req, const Params&) {
  std::string q = req.query.count("q") ? std::string(util::TrimBlanks(req.query.at("q"))) : "";
  if (q.empty()) return ErrorPage(req, 400, "Search", "Type a name, namespace, address, txid, block or hash.");
  if (q.size() > 300) return ErrorPage(req, 400, "Search", "That is longer than anything the explorer can find.");
  std::string lower = q;
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  auto redirect = [&](const std::string& to) {
    if (WantsJson(req)) return WithPageHeaders(net::Response::Json(200, {{"location", to}}));
    net::Response r = net::Response::Text(302, "", "text/plain");
    r.With("Location", to);
    return WithPageHeaders(std::move(r));
  };
  // A block height.
  if (auto height = util::ParseDecimal(q, UINT32_MAX); height && q.size() <= 10) return redirect(BlockHref(*height));
  // A txid (64 hex), a consensus hash (32 hex).
  if (IsHex(q, 64)) {
    Answer block = Get("/v1/blocks/hash/" + lower);
    if (block.Ok() && Num(block.body, "height")) return redirect(BlockHref(*Num(block.body, "height")));
    return redirect("/explorer/transactions/" + lower);
  }
  if (IsHex(q, 32)) {
    Answer a = Get("/v1/blockchains/bitcoin/consensus-block/" + lower);
    if (a.Ok() && Num(a.body, "block_height")) return redirect(BlockHref(*Num(a.body, "block_height")));
  }
  // A name, subdomain or namespace that exists.
  if (lower.find('.') != std::string::npos) {
    if (Get("/v1/names/" + lower).Ok()) return redirect(NameHref(lower));
  } else if (Get("/v1/namespaces/" + lower).Ok()) {
    return redirect(NamespaceHref(lower));
  }
  // An address (as the API reads one).
  if (Get("/v1/addresses/bitcoin/" + q).Ok() && lower.find('.') == std::string::npos) return redirect(AddressHref(q));
  // Otherwise: what starts with it.
  Answer found = Get("/v1/search", {{"prefix", lower}, {"count", "50"}});
  json model = {{"query", q}, {"results", found.body}};
  PageShell shell{"Search", "/explorer/search?format=json&q=" + UrlPart(q), q, "explorer.js"};
  return Respond(req, 200, model, shell, [&] {
    Html h;
    h.Element("h1", "Search");
    bool any = false;
    for (const auto& [key, title, href] :
         {std::tuple{"names", "Names", "/explorer/names/"}, std::tuple{"subdomains", "Subdomains", "/explorer/names/"},
          std::tuple{"namespaces", "Namespaces", "/explorer/namespaces/"}}) {
      const json& list = At(found.body, key);
      if (!list.is_array() || list.empty()) continue;
      any = true;
      h.Element("h2", title).Raw("<ul class=\"results\">");
      for (const auto& n : list) {
        if (!n.is_string()) continue;
        h.Raw("<li>").Link(std::string(href) + UrlPart(n.get<std::string>()), n.get<std::string>()).Raw("</li>");
      }
      h.Raw("</ul>");
    }
    if (!any) h.Element("p", "Nothing on this node matches \u201c" + q + "\u201d.", "class=\"note\"");
    return h.Take();
  });
}

// --- assets ---

net::Response Explorer::Asset(const net::Request&, const Params& p) {
  auto asset = FindAsset(p["file"]);
  if (!asset) return WithPageHeaders(net::Response::Text(404, "no such asset\n"));
  net::Response r = net::Response::Text(200, std::string(asset->body), std::string(asset->content_type));
  r.With("Cache-Control", "public, max-age=300");
  r.With("Content-Security-Policy", CSP);
  r.With("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace blockstack::explorer
