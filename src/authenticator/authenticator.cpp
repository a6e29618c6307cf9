#include <authenticator/authenticator.h>

#include <ctime>

#include <spdlog/spdlog.h>

#include <bitcoin/address.h>
#include <client/gaia_client.h>
#include <client/node_client.h>
#include <client/resolver.h>
#include <client/url_fetcher.h>
#include <crypto/aes.h>
#include <explorer/html.h>
#include <util/bytes.h>
#include <util/text.h>
#include <util/url.h>
#include <zonefile/profile.h>

namespace blockstack::authenticator {

using explorer::Html;
using nlohmann::json;
using util::ErrorCode;
using util::Fail;

namespace {

constexpr const char* CSP =
    "default-src 'none'; style-src 'self'; img-src http: https: data:; "
    "frame-ancestors 'none'; base-uri 'none'";

constexpr const char* STYLE = R"(body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #dde1e8;border-radius:8px}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1rem;margin:1.4rem 0 .4rem}
.app{display:flex;gap:1rem;align-items:center}.app img{width:56px;height:56px;border-radius:8px;object-fit:cover}
.origin{color:#555;word-break:break-all}code{word-break:break-all}
ul{padding-left:1.2rem}li{margin:.2rem 0}.unknown{color:#8a5a00}
.ids button{display:block;width:100%;text-align:left;margin:.4rem 0;padding:.6rem .8rem;font:inherit;
border:1px solid #2b59c3;border-radius:6px;background:#eef3ff;cursor:pointer}
.ids button:focus,.ids button:hover{background:#dbe6ff}.ids small{display:block;color:#555}
.decline button{font:inherit;padding:.4rem .8rem;border:1px solid #999;border-radius:6px;background:#fff}
.error{color:#a11}.note{color:#555;font-size:.9rem}
@media (max-width:600px){main{margin:0;border:0;border-radius:0}})";

net::Response HtmlResponse(unsigned status, std::string body) {
  net::Response res = net::Response::Text(status, std::move(body), "text/html; charset=utf-8");
  res.With("Content-Security-Policy", CSP)
      .With("X-Content-Type-Options", "nosniff")
      .With("X-Frame-Options", "DENY")
      .With("Referrer-Policy", "same-origin")
      .With("Cache-Control", "no-store");
  return res;
}

std::string Document(std::string_view title, std::string_view body) {
  Html h;
  h.Raw(
       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\">"
       "<title>")
      .Text(title)
      .Raw(" · Blockstack authenticator</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><main>\n")
      .Raw(body)
      .Raw("\n</main></body></html>\n");
  return h.Take();
}

// application/x-www-form-urlencoded fields; the first of a repeated key wins.
std::map<std::string, std::string> FormFields(std::string_view body) {
  std::map<std::string, std::string> out;
  for (std::string_view part : util::SplitList(body, '&')) {
    auto eq = part.find('=');
    std::string key(part.substr(0, eq)), value(eq == std::string_view::npos ? "" : part.substr(eq + 1));
    for (auto* s : {&key, &value}) std::replace(s->begin(), s->end(), '+', ' ');
    auto k = util::PercentDecode(key);
    auto v = util::PercentDecode(value);
    if (k && v) out.emplace(*k, *v);
  }
  return out;
}

// The manifest's first icon as an absolute http(s) URL ("" when none).
std::string IconUrl(const json& manifest, const std::string& origin) {
  auto icons = manifest.find("icons");
  if (icons == manifest.end() || !icons->is_array() || icons->empty() || !(*icons)[0].is_object()) return "";
  auto src = (*icons)[0].find("src");
  if (src == (*icons)[0].end() || !src->is_string()) return "";
  std::string s = src->get<std::string>();
  if (s.starts_with("/") && !s.starts_with("//")) s = origin + s;
  return OriginOf(s) ? s : "";
}

}  // namespace

Authenticator::Authenticator(client::Keychain keychain, AuthenticatorSettings settings, Clock clock)
    : m_keychain(std::move(keychain)), m_settings(std::move(settings)), m_clock(std::move(clock)) {
  if (m_settings.profile_hub_url.empty()) m_settings.profile_hub_url = m_settings.hub_url;
  if (!m_clock) m_clock = [] { return static_cast<int64_t>(std::time(nullptr)); };
  auto route = [this](net::Response (Authenticator::*fn)(const net::Request&)) {
    return [this, fn](const net::Request& req, const net::PathParams&) { return (this->*fn)(req); };
  };
  m_router.Add("GET", "/", "home", route(&Authenticator::Home));
  m_router.Add("GET", "/auth", "auth", route(&Authenticator::Auth));
  m_router.Add("POST", "/approve", "approve", route(&Authenticator::Approve));
  m_router.Add("POST", "/decline", "decline", route(&Authenticator::Decline));
  m_router.Add("GET", "/style.css", "style", route(&Authenticator::Style));
  m_router.SetFallback([this](const net::Request&, unsigned status, const std::string& message) {
    return ErrorPage(status, status == 405 ? "Method not allowed" : "Not found",
                     message.empty() ? "There is no such page here." : message);
  });
}

net::Response Authenticator::Handle(const net::Request& req) {
  if (!HostAllowed(req)) {
    return ErrorPage(421, "Wrong host",
                     "This authenticator answers only requests addressed to 127.0.0.1 or localhost.");
  }
  std::lock_guard lock(m_mu);
  Prune(m_clock());
  return m_router.Dispatch(req).response;
}

bool Authenticator::HostAllowed(const net::Request& req) const {
  const std::string& host = req.Header("host");
  const std::string port = ":" + std::to_string(m_port);
  for (const char* name : {"127.0.0.1", "localhost", "[::1]"}) {
    if (util::EqualsIgnoreCase(host, std::string(name) + port)) return true;
  }
  return false;
}

// A form posted from another site's page names that site in Origin; browsers
// send Origin with every POST.
bool Authenticator::OriginAllowed(const net::Request& req) const {
  const std::string& origin = req.Header("origin");
  if (origin.empty()) return true;
  const std::string port = ":" + std::to_string(m_port);
  for (const char* name : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (util::EqualsIgnoreCase(origin, std::string(name) + port)) return true;
  }
  return false;
}

net::Response Authenticator::ErrorPage(unsigned status, const std::string& title, const std::string& message) {
  Html h;
  h.Raw("<h1>").Text(title).Raw("</h1><p id=\"error\" class=\"error\" role=\"alert\">").Text(message).Raw("</p>");
  h.Raw("<p class=\"note\">Nothing was sent to the app and nothing was written to your profile.</p>");
  return HtmlResponse(status, Document(title, h.Str()));
}

net::Response Authenticator::Style(const net::Request&) {
  net::Response res = net::Response::Text(200, STYLE, "text/css; charset=utf-8");
  res.With("X-Content-Type-Options", "nosniff").With("Cache-Control", "max-age=3600");
  return res;
}

net::Response Authenticator::Home(const net::Request&) {
  Html h;
  h.Raw("<h1>Blockstack authenticator</h1><p>Apps send you here to sign in. Node: <code>")
      .Text(m_settings.node_url)
      .Raw("</code>; app storage: <code>")
      .Text(m_settings.hub_url)
      .Raw("</code>; profiles: <code>")
      .Text(m_settings.profile_hub_url)
      .Raw("</code>.</p>");
  auto ids = LoadIdentities();
  if (!ids) {
    h.Raw("<p class=\"error\">").Text(ids.error().message).Raw("</p>");
  } else {
    h.Raw("<h2>Your names</h2><ul id=\"names\">");
    for (const auto& id : *ids) {
      h.Raw("<li>")
          .Text(id.name)
          .Raw(" <small>(identity ")
          .Number(id.index)
          .Raw(", ")
          .Text(id.address)
          .Raw(")</small></li>");
    }
    if (ids->empty()) h.Raw("<li>none: this keychain's identities own no names on this node</li>");
    h.Raw("</ul>");
  }
  return HtmlResponse(200, Document("Authenticator", h.Str()));
}

util::Result<json> Authenticator::FetchManifest(const AuthRequest& request) {
  client::UrlFetcher fetcher("the app's manifest", m_settings.fetch_timeout, m_settings.max_manifest_bytes);
  auto res = fetcher.Get(request.manifest_uri);
  if (!res)
    return Fail(res.error().code,
                "the app manifest " + request.manifest_uri + " could not be fetched: " + res.error().message);
  if (res->status != 200) {
    return Fail(ErrorCode::NotFound, "the app manifest " + request.manifest_uri + " could not be fetched: HTTP " +
                                         std::to_string(res->status));
  }
  json manifest = json::parse(res->body, nullptr, false);
  if (!manifest.is_object()) {
    return Fail(ErrorCode::InvalidArgument, "the app manifest " + request.manifest_uri + " is not a JSON object");
  }
  return manifest;
}

util::Result<std::vector<Identity>> Authenticator::LoadIdentities() {
  BS_TRY(auto node, client::NodeClient::Create(m_settings.node_url, m_settings.fetch_timeout));
  client::UrlFetcher storage("profile storage", m_settings.fetch_timeout);
  client::Resolver resolver(*node, storage);
  const auto& params = bitcoin::Params(m_settings.network);
  std::vector<Identity> out;
  // As the original: identities in order, until the first that owns no name.
  for (uint32_t index = 0; index < m_settings.max_identities; ++index) {
    BS_TRY(auto key, m_keychain.OwnerKey(index));
    const std::string address = bitcoin::P2pkhAddress(key.GetPublicKey(), params);
    auto names = node->NamesOwnedBy(address);
    if (!names)
      return Fail(names.error().code,
                  "cannot ask the node " + m_settings.node_url + " for your names: " + names.error().message);
    std::size_t before = out.size();
    for (const auto& name : *names) {
      if (name.find('.') == name.rfind('.')) {  // on-chain names; subdomains sign in through their registrar
        Identity id{index, name, address, "", ""};
        auto found = resolver.Lookup(name);
        if (auto* r = std::get_if<client::LookupResult>(&found)) {
          id.profile_url = r->profile_url;
        } else {
          id.note = std::get<client::LookupError>(found).message;
        }
        out.push_back(std::move(id));
      }
    }
    if (out.size() == before) break;
  }
  return out;
}

net::Response Authenticator::Auth(const net::Request& req) {
  auto it = req.query.find("authRequest");
  if (it == req.query.end() || it->second.empty()) {
    return ErrorPage(400, "No sign-in request", "This page needs ?authRequest=<token>, as apps send it.");
  }
  const int64_t now = m_clock();
  auto request = CheckAuthRequest(it->second, now);
  if (!request) return ErrorPage(400, "This sign-in request was refused", request.error().message);
  if (m_answered.count(request->jti)) {
    return ErrorPage(
        409, "This sign-in request was already answered",
        "Its id " + request->jti + " was approved or declined before; start the sign-in again from the app.");
  }
  auto manifest = FetchManifest(*request);
  if (!manifest) return ErrorPage(502, "This sign-in request was refused", manifest.error().message);
  auto identities = LoadIdentities();
  if (!identities) return ErrorPage(502, "Your names could not be read", identities.error().message);

  std::string app_name;
  if (auto n = manifest->find("name"); n != manifest->end() && n->is_string()) app_name = n->get<std::string>();
  if (app_name.empty()) app_name = "(unnamed app)";
  const std::string form_id = util::ToHex(crypto::RandomBytes(16));
  const std::string icon = IconUrl(*manifest, request->app_origin);

  Html h;
  h.Raw("<div class=\"app\">");
  if (!icon.empty()) h.Raw("<img id=\"app-icon\" alt=\"\" src=\"").Text(icon).Raw("\">");
  h.Raw("<div><h1>Sign in to <span id=\"app-name\">")
      .Text(app_name)
      .Raw("</span></h1><div class=\"origin\" id=\"app-origin\">")
      .Text(request->app_origin)
      .Raw("</div></div></div>");
  h.Raw("<h2>It asks to</h2><ul id=\"scopes\">");
  h.Raw("<li>know the name you choose and read your public profile</li>");
  for (const auto& s : request->scopes) {
    for (const auto& k : KnownScopes()) {
      if (s == k.name) h.Raw("<li data-scope=\"").Text(s).Raw("\">").Text(k.meaning).Raw("</li>");
    }
  }
  for (const auto& s : request->unknown_scopes) {
    h.Raw("<li class=\"unknown\" data-scope=\"").Text(s).Raw("\">unknown scope “").Text(s).Raw("”: not granted</li>");
  }
  h.Raw("</ul>");
  if (identities->empty()) {
    h.Raw("<p id=\"no-names\">This keychain's identities own no names on ")
        .Text(m_settings.node_url)
        .Raw(". Register one, then sign in again.</p>");
  } else {
    h.Raw(
         "<h2 id=\"choose\">Sign in as</h2><form class=\"ids\" method=\"post\" action=\"/approve\">"
         "<input type=\"hidden\" name=\"request\" value=\"")
        .Text(form_id)
        .Raw("\">");
    for (std::size_t i = 0; i < identities->size(); ++i) {
      const Identity& id = (*identities)[i];
      h.Raw("<button type=\"submit\" name=\"identity\" value=\"")
          .Number(i)
          .Raw("\" data-name=\"")
          .Text(id.name)
          .Raw("\">")
          .Text(id.name)
          .Raw("<small>")
          .Text(id.address);
      if (!id.note.empty()) h.Raw(" · no profile read: ").Text(id.note);
      h.Raw("</small></button>");
    }
    h.Raw("</form>");
  }
  h.Raw("<form class=\"decline\" method=\"post\" action=\"/decline\"><input type=\"hidden\" name=\"request\" value=\"")
      .Text(form_id)
      .Raw("\"><button id=\"decline\" type=\"submit\">Decline</button></form>");
  h.Raw("<p class=\"note\">The app will get a key of its own for your storage on <code>")
      .Text(m_settings.hub_url)
      .Raw("</code>, never your name's keys.</p>");

  m_pending[form_id] = Pending{std::move(*request), app_name, std::move(*identities), now};
  return HtmlResponse(200, Document("Sign in to " + app_name, h.Str()));
}

std::optional<Authenticator::Pending> Authenticator::TakePending(const net::Request& req, std::string* error) {
  if (!OriginAllowed(req)) {
    *error = "the form was posted from another site (" + req.Header("origin") + ")";
    return std::nullopt;
  }
  auto fields = FormFields(req.body);
  auto it = m_pending.find(fields["request"]);
  if (it == m_pending.end()) {
    *error = "this sign-in page was already answered or is older than " +
             std::to_string(m_settings.pending_lifetime.count()) + " seconds; start the sign-in again from the app";
    return std::nullopt;
  }
  Pending p = std::move(it->second);
  m_pending.erase(it);
  // One answer per request, whatever happens next.
  m_answered[p.request.jti] = std::max<int64_t>(p.request.exp.value_or(0), m_clock() + 86400);
  return p;
}

net::Response Authenticator::Decline(const net::Request& req) {
  std::string error;
  auto pending = TakePending(req, &error);
  if (!pending) return ErrorPage(error.starts_with("the form") ? 403 : 410, "Not answered", error);
  spdlog::info("authenticator: declined {} ({})", pending->request.app_origin, pending->app_name);
  Html h;
  h.Raw("<h1 id=\"declined\">Sign-in declined</h1><p>Nothing was sent to <b>")
      .Text(pending->app_name)
      .Raw("</b> (")
      .Text(pending->request.app_origin)
      .Raw(") and nothing was written to your profile.</p><p><a id=\"back\" href=\"")
      .Text(pending->request.app_origin + "/")
      .Raw("\">Back to the app</a></p>");
  return HtmlResponse(200, Document("Sign-in declined", h.Str()));
}

net::Response Authenticator::Approve(const net::Request& req) {
  std::string error;
  auto pending = TakePending(req, &error);
  if (!pending) return ErrorPage(error.starts_with("the form") ? 403 : 410, "Not answered", error);
  auto fields = FormFields(req.body);
  auto choice = util::ParseDecimal(fields["identity"], pending->identities.size() - 1);
  if (pending->identities.empty() || !choice) {
    return ErrorPage(400, "No name chosen", "Choose one of the names on the sign-in page.");
  }
  const Identity& identity = pending->identities[*choice];
  auto redirect = SignIn(*pending, identity);
  if (!redirect) {
    spdlog::warn("authenticator: sign-in of {} to {} failed: {}", identity.name, pending->request.app_origin,
                 redirect.error().message);
    return ErrorPage(502, "The sign-in failed", redirect.error().message);
  }
  spdlog::info("authenticator: {} signed in to {}", identity.name, pending->request.app_origin);
  net::Response res = HtmlResponse(302, Document("Signed in", "<p>Signed in; back to the app.</p>"));
  res.With("Location", *redirect);
  return res;
}

util::Result<std::string> Authenticator::SignIn(const Pending& pending, const Identity& identity) {
  const AuthRequest& request = pending.request;
  const int64_t now = m_clock();
  BS_TRY(auto owner_key, m_keychain.OwnerKey(identity.index));
  BS_TRY(auto transit_key, crypto::PublicKey::FromHex(request.transit_public_key));

  // The profile as it is now (read again: it may have changed since the page).
  BS_TRY(auto node, client::NodeClient::Create(m_settings.node_url, m_settings.fetch_timeout));
  client::UrlFetcher storage("profile storage", m_settings.fetch_timeout);
  client::Resolver resolver(*node, storage);
  json profile;
  std::string profile_url;
  auto found = resolver.Lookup(identity.name);
  if (auto* r = std::get_if<client::LookupResult>(&found)) {
    if (!r->profile.is_object())
      return Fail(ErrorCode::Corruption, "the profile of " + identity.name + " is not a JSON object");
    profile = r->profile;
    profile_url = r->profile_url;
  } else {
    const auto& e = std::get<client::LookupError>(found);
    if (e.kind != client::LookupFailure::NoProfileUrl && e.kind != client::LookupFailure::StorageMissing &&
        e.kind != client::LookupFailure::ZonefileMissing) {
      // A profile that exists but cannot be read now would be overwritten.
      return Fail(ErrorCode::Unavailable,
                  "the profile of " + identity.name + " cannot be read, so it is not changed: " + e.message);
    }
    profile = json{{"@type", "Person"}, {"@context", "http://schema.org"}};
  }

  // 1. The app key: the one the profile's bucket for this app was made with.
  BS_TRY(auto app_key, m_keychain.AppKey(identity.index, request.app_origin));
  if (auto apps = profile.find("apps"); apps != profile.end() && apps->is_object()) {
    if (auto url = apps->find(request.app_origin); url != apps->end() && url->is_string()) {
      auto v2 = m_keychain.AppKeyV2(identity.index, request.app_origin);
      if (v2 &&
          url->get<std::string>().find("/" + client::GaiaAddress(v2->GetPublicKey()) + "/") != std::string::npos) {
        app_key = *v2;
      }
    }
  }
  BS_TRY(auto app_hub, client::GaiaClient::Connect(m_settings.hub_url, app_key));
  const std::string bucket_url = app_hub->Config().url_prefix + app_hub->Config().address + "/";

  // 2. The profile's apps map, and where the profile lives.
  BS_TRY(auto profile_hub, client::GaiaClient::Connect(m_settings.profile_hub_url, owner_key));
  const std::string owner_prefix = profile_hub->Config().url_prefix + profile_hub->Config().address + "/";
  std::string profile_path = "profile.json";
  if (!profile_url.empty()) {
    if (!profile_url.starts_with(owner_prefix) || profile_url.size() == owner_prefix.size()) {
      return Fail(ErrorCode::InvalidArgument,
                  "the profile of " + identity.name + " is read from " + profile_url +
                      ", outside its owner's bucket on the profile hub " + m_settings.profile_hub_url + " (" +
                      owner_prefix + "); start the authenticator with --profile-hub set to the hub that holds it");
    }
    profile_path = profile_url.substr(owner_prefix.size());
  } else {
    profile_url = owner_prefix + profile_path;
  }
  bool changed = false;
  if (request.HasScope("store_write") || request.HasScope("publish_data")) {
    if (!profile.contains("apps") || !profile["apps"].is_object()) profile["apps"] = json::object();
    if (profile["apps"].value(request.app_origin, json()) != bucket_url) {
      profile["apps"][request.app_origin] = bucket_url;
      changed = true;
    }
  }
  if (changed) {
    auto tokens = zonefile::MakeTokenFile(zonefile::SignProfileToken(profile, owner_key, now, now + 365LL * 86400));
    client::PutOptions put;
    put.encrypt = false;
    put.is_string = true;
    put.content_type = "application/json";
    auto stored = profile_hub->PutFile(profile_path, util::AsBytes(tokens.dump()), put);
    if (!stored) {
      return Fail(stored.error().code, "the profile of " + identity.name + " could not be stored on " +
                                           m_settings.profile_hub_url + ": " + stored.error().message);
    }
  }

  // 3. The answer.
  AuthResponseParts parts{.identity_key = owner_key,
                          .username = identity.name,
                          .profile = request.do_not_include_profile ? json(nullptr) : profile,
                          .profile_url = profile_url,
                          .app_key = app_key,
                          .transit_key = transit_key,
                          .hub_url = m_settings.hub_url,
                          .api_url = m_settings.node_url,
                          .association_token = client::MakeGaiaAssociationToken(
                              owner_key, app_key.GetPublicKey().WithCompression(true).Hex()),
                          .issued_at = now,
                          .expires_at = now + m_settings.response_lifetime.count(),
                          .jti = ""};
  return SetQueryParameter(request.redirect_uri, "authResponse", MakeAuthResponse(parts));
}

void Authenticator::Prune(int64_t now) {
  std::erase_if(m_pending, [&](const auto& p) { return now - p.second.created > m_settings.pending_lifetime.count(); });
  std::erase_if(m_answered, [&](const auto& a) { return a.second < now; });
}

}  // namespace blockstack::authenticator
