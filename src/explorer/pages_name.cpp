// The name page (names and subdomains) and its calendar file.
#include <explorer/detail/parts.h>
#include <explorer/explorer.h>

#include <algorithm>
#include <set>

#include <util/text.h>
#include <zonefile/zonefile.h>

namespace blockstack::explorer {

using namespace detail;
using nlohmann::json;

namespace {

constexpr std::size_t MAX_ZONEFILE_VERSIONS = 20;

// href for a URL a profile or zone file gives: only http(s) ever becomes a link.
bool IsWebUrl(std::string_view url) { return url.starts_with("https://") || url.starts_with("http://"); }

std::string WebLink(std::string_view url) {
  Html h;
  if (IsWebUrl(url)) {
    h.Raw("<a rel=\"nofollow noopener\" href=\"").Text(url).Raw("\">").Text(url).Raw("</a>");
  } else {
    h.Text(url);
  }
  return h.Take();
}

// Whether a URL's last path segment (before an optional '/') can be a bucket
// address (base58, 25 to 35 characters): only then is it a bucket to browse.
bool EndsInAddress(std::string_view url) {
  if (url.ends_with('/')) url.remove_suffix(1);
  const std::string_view last = url.substr(url.rfind('/') + 1);
  return last.size() >= 25 && last.size() <= 35 &&
         last.find_first_not_of("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") == std::string_view::npos;
}

// A bucket's URL: a link into the bucket browser, and the URL itself.
std::string BucketLinks(std::string_view url) {
  if (!IsWebUrl(url)) return Escape(url);
  if (!EndsInAddress(url)) return WebLink(url);
  Html h;
  h.Link(BucketHref(url), "browse").Raw(" · ").Raw(WebLink(url));
  return h.Take();
}

std::optional<uint32_t> PageParam(const net::Request& req, const char* key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return 0;
  auto v = util::ParseDecimal(it->second, 100000);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

// The history's entries, newest first: (height, record).
std::vector<std::pair<uint64_t, json>> Entries(const json& history) {
  std::vector<std::pair<uint64_t, json>> out;
  if (!history.is_object()) return out;
  for (auto it = history.begin(); it != history.end(); ++it) {
    auto h = util::ParseDecimal(it.key());
    if (!h || !it->is_array()) continue;
    for (const auto& rec : *it) {
      if (rec.is_object()) out.emplace_back(*h, rec);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

void ProfileCard(Html& h, const json& user) {
  h.Raw("<section class=\"profile\" aria-labelledby=\"profile-h\"><h2 id=\"profile-h\">Profile</h2>");
  const json& profile = At(user, "profile");
  if (!profile.is_object()) {
    const std::string why = Str(user, "error");
    h.Element("p", why.empty() ? "No profile." : "No profile: " + why, "class=\"note\"");
    h.Raw("</section>");
    return;
  }
  h.Raw("<div class=\"card profile-card\">");
  if (At(profile, "image").is_array()) {
    for (const auto& img : At(profile, "image")) {
      const std::string url = Str(img, "contentUrl");
      if (IsWebUrl(url) && Str(img, "name") == "avatar") {
        h.Raw("<img class=\"avatar\" alt=\"avatar\" width=\"96\" height=\"96\" src=\"").Text(url).Raw("\">");
        break;
      }
    }
  }
  const std::string shown = Str(profile, "name");
  if (!shown.empty()) h.Element("div", shown, "class=\"profile-name\"");
  const std::string about = Str(profile, "description");
  if (!about.empty()) h.Element("p", about.substr(0, 2000));
  h.Raw("<p class=\"ok\">Signed by the owner's key");
  if (!Str(user, "public_key").empty()) h.Raw(" (<span class=\"hash\">").Text(Str(user, "public_key")).Raw("</span>)");
  h.Raw("</p>");
  if (const json& apps = At(profile, "apps"); apps.is_object() && !apps.empty()) {
    h.Raw("<h3>Storage</h3><table class=\"kv\"><tbody>");
    std::size_t shown_apps = 0;
    for (auto it = apps.begin(); it != apps.end() && shown_apps < 100; ++it, ++shown_apps) {
      const std::string url = it->is_string() ? it->get<std::string>() : std::string();
      h.RawRow(it.key(), BucketLinks(url));
    }
    h.Raw("</tbody></table>");
  }
  h.Raw("<details><summary>profile JSON</summary>").Pre(profile.dump(2).substr(0, 20000)).Raw("</details>");
  h.Raw("</div></section>");
}

// The buckets the zone file's URI records point into (the profile's own).
void ZonefileBuckets(Html& h, std::string_view zonefile_text) {
  auto zf = zonefile::ParseZonefile(zonefile_text);
  if (!zf) return;
  std::vector<std::string> buckets;
  for (const auto& target : zonefile::UriTargets(*zf)) {
    const auto slash = target.rfind('/');
    if (!IsWebUrl(target) || slash == std::string::npos || slash < 8) continue;
    std::string dir = target.substr(0, slash + 1);
    if (!EndsInAddress(dir)) continue;
    if (std::find(buckets.begin(), buckets.end(), dir) == buckets.end()) buckets.push_back(std::move(dir));
  }
  if (buckets.empty()) return;
  h.Raw("<section><h2>Storage</h2><p>The profile's bucket, from the zone file:</p><ul class=\"buckets\">");
  for (const auto& b : buckets) h.Raw("<li>").Raw(BucketLinks(b)).Raw("</li>");
  h.Raw("</ul></section>\n");
}

}  // namespace

Explorer::Answer Explorer::NameModel(const std::string& name, uint32_t history_page) {
  Answer rec = Get("/v1/names/" + name);
  json model = {{"name", name}, {"record", rec.body}};
  Answer info = Get("/v1/info");
  const uint64_t last = Num(info.body, "last_block_processed").value_or(0);
  model["last_block"] = last;
  if (!rec.Ok()) return {rec.status == 400 ? 400u : 404u, model};
  const bool subdomain = rec.body.contains("domain");
  model["kind"] = subdomain ? "subdomain" : "name";
  Answer history = Get("/v1/names/" + name + "/history", {{"page", std::to_string(history_page)}});
  model["history"] = history.Ok() && history.body.is_object() ? history.body : json::object();
  model["history_page"] = history_page;
  json consensus = json::object();
  json zonefiles = json::object();
  const auto entries = Entries(model["history"]);
  for (const auto& [height, entry] : entries) {
    const std::string key = std::to_string(height);
    if (!consensus.contains(key)) {
      Answer ch = Get("/v1/blockchains/bitcoin/consensus/" + key);
      consensus[key] = At(ch.body, "consensus_hash");
    }
    const std::string hash = Str(entry, "value_hash").empty() ? Str(entry, "zonefile_hash") : Str(entry, "value_hash");
    if (IsHex(hash, 40) && !zonefiles.contains(hash) && zonefiles.size() < MAX_ZONEFILE_VERSIONS) {
      Answer zf = Get("/v1/names/" + name + "/zonefile/" + hash);
      zonefiles[hash] = zf.Ok() ? At(zf.body, "zonefile") : json(nullptr);
    }
  }
  model["consensus_hashes"] = consensus;
  model["zonefiles"] = zonefiles;
  Answer user = Get("/v1/users/" + name);
  model["profile"] = At(user.body, name);
  if (!subdomain) {
    Answer subs = Get("/v1/names/" + name + "/subdomains");
    model["subdomains"] = subs.Ok() ? subs.body : json::array();
  }
  if (auto expire = Num(rec.body, "expire_block")) {
    model["expiry"] = {{"expire_block", *expire}, {"expire_date", DateOfBlock(*expire, last)}};
    if (auto deadline = Num(rec.body, "renewal_deadline")) {
      model["expiry"]["renewal_deadline"] = *deadline;
      model["expiry"]["renewal_date"] = DateOfBlock(*deadline, last);
    }
  }
  return {200, model};
}

net::Response Explorer::Name(const net::Request& req, const Params& p) {
  const std::string& name = p["name"];
  auto history_page = PageParam(req, "history_page");
  auto subdomains_page = PageParam(req, "subdomains_page");
  if (!history_page || !subdomains_page) return ErrorPage(req, 400, name, "A page is a number.", name);
  Answer m = NameModel(name, *history_page);
  json& model = m.body;
  if (*subdomains_page && model.contains("subdomains")) {
    Answer subs = Get("/v1/names/" + name + "/subdomains", {{"page", std::to_string(*subdomains_page)}});
    model["subdomains"] = subs.Ok() ? subs.body : json::array();
    model["subdomains_page"] = *subdomains_page;
  }
  const std::string self = NameHref(name);
  PageShell shell{name, self + "?format=json", name, "explorer.js"};
  if (m.status == 400) {
    return Respond(req, 400, model, shell, [&] {
      Html h;
      h.Element("h1", name)
          .Element("p", "This is not a valid name: " + Str(model["record"], "error"), "class=\"error\"");
      return h.Take();
    });
  }
  if (m.status != 200) {
    return Respond(req, 404, model, shell, [&] {
      Html h;
      h.Element("h1", name);
      const std::string why = Str(model["record"], "error");
      h.Element("p", why.empty() ? "Not registered: this name is available." : why, "class=\"note\"");
      return h.Take();
    });
  }
  return Respond(req, 200, model, shell, [&] {
    const json& r = model["record"];
    const bool subdomain = model["kind"] == "subdomain";
    const uint64_t last = Num(model, "last_block").value_or(0);
    Html h;
    h.Raw("<h1>").Text(name).Raw(" <span class=\"badge\">").Text(Str(r, "status")).Raw("</span></h1>\n");
    h.Raw("<table class=\"kv\"><tbody>");
    const std::string owner = Str(r, "address");
    h.RawRow(
        "owner", owner.empty() ? "" : [&] {
          Html l;
          l.Link(AddressHref(owner), owner);
          return l.Take();
        }());
    if (subdomain) {
      Html l;
      l.Link(NameHref(Str(r, "domain")), Str(r, "domain"));
      h.RawRow("domain", l.Str()).Row("sequence", Str(r, "sequence"));
    }
    h.Row("zone-file hash", Str(r, "zonefile_hash"));
    {
      Html l;
      l.Link(TransactionHref(Str(r, "last_txid")), Str(r, "last_txid"));
      h.RawRow("last transaction", l.Str());
    }
    if (model.contains("expiry")) {
      const json& e = model["expiry"];
      const uint64_t expire = Num(e, "expire_block").value_or(0);
      Html l;
      l.Text("block " + std::to_string(expire) + ", about " + Str(e, "expire_date"));
      l.Text(expire > last ? " (in " + std::to_string(expire - last) + " blocks)" : " (passed)");
      l.Raw(" · ").Link(self + "/expiry.ics", "add a reminder to a calendar");
      h.RawRow("expires", l.Str());
      if (e.contains("renewal_deadline")) {
        h.Row("in its grace period", At(r, "grace_period") == true ? "yes: renew it before the deadline" : "no");
        h.Row("renewal deadline", "block " + Str(e, "renewal_deadline") + ", about " + Str(e, "renewal_date"));
      }
    }
    if (At(r, "did").is_string()) h.Row("DID", At(r, "did").get<std::string>());
    if (!Str(r, "resolver").empty()) h.RawRow("resolver", WebLink(Str(r, "resolver")));
    h.Raw("</tbody></table>\n");
    // Verify: the module script runs the proofs verifier here.
    h.Raw("<section class=\"verify\" id=\"verify\" data-name=\"").Text(name).Raw("\" data-kind=\"");
    h.Text(subdomain ? "subdomain" : "name").Raw("\" data-owner=\"").Text(owner).Raw("\" data-zonefile-hash=\"");
    h.Text(Str(r, "zonefile_hash")).Raw("\">");
    h.Raw(
        "<h2>Verify</h2><p>Check this page against a consensus hash you trust (from your own node, from "
        "several nodes, or from a name operation in a Bitcoin block you trust).</p>"
        "<form id=\"verify-form\"><label for=\"trusted\">Trusted consensus hash</label> "
        "<input id=\"trusted\" name=\"trusted\" pattern=\"[0-9a-fA-F]{32}\" size=\"34\" required "
        "autocomplete=\"off\" spellcheck=\"false\"> <button type=\"submit\" disabled>Verify</button></form>"
        "<output id=\"verify-result\" aria-live=\"polite\"><span class=\"note\">Verifying needs JavaScript."
        "</span></output></section>\n");
    // The zone file.
    const std::string zonefile = Str(r, "zonefile");
    h.Raw("<section><h2>Zone file</h2>");
    if (zonefile.empty()) {
      h.Element("p", "Not held by this node.", "class=\"note\"");
    } else {
      h.Raw(ZonefileRecords(zonefile)).Raw("<details><summary>raw</summary>").Pre(zonefile).Raw("</details>");
    }
    h.Raw("</section>\n");
    ProfileCard(h, model["profile"]);
    if (!zonefile.empty()) ZonefileBuckets(h, zonefile);
    // Subdomains.
    if (model.contains("subdomains") && model["subdomains"].is_array()) {
      const uint32_t page = static_cast<uint32_t>(Num(model, "subdomains_page").value_or(0));
      h.Raw("<section><h2>Subdomains</h2>");
      if (model["subdomains"].empty()) {
        h.Element("p", page ? "No more subdomains." : "None.", "class=\"note\"");
      } else {
        h.Raw("<ul class=\"results\">");
        for (const auto& s : model["subdomains"]) {
          if (s.is_string()) h.Raw("<li>").Link(NameHref(s.get<std::string>()), s.get<std::string>()).Raw("</li>");
        }
        h.Raw("</ul>");
      }
      h.Raw("<nav class=\"pager\">");
      if (page) h.Link(self + "?subdomains_page=" + std::to_string(page - 1), "previous");
      if (model["subdomains"].size() >= 100)
        h.Raw(" ").Link(self + "?subdomains_page=" + std::to_string(page + 1), "next");
      h.Raw("</nav></section>\n");
    }
    // History, newest first, with what each operation changed in the zone file.
    const auto entries = Entries(model["history"]);
    const uint32_t hpage = static_cast<uint32_t>(Num(model, "history_page").value_or(0));
    h.Raw(
        "<section><h2>History</h2><table class=\"ops\"><thead><tr><th>block</th><th>consensus hash</th>"
        "<th>operation</th><th>owner</th><th>zone-file hash</th><th>transaction</th></tr></thead><tbody>");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& [height, e] = entries[i];
      const std::string hash = Str(e, "value_hash").empty() ? Str(e, "zonefile_hash") : Str(e, "value_hash");
      h.Raw("<tr><td>").Link(BlockHref(height), std::to_string(height)).Raw("</td><td class=\"hash\">");
      h.Text(Str(model["consensus_hashes"], std::to_string(height))).Raw("</td><td>");
      std::string what = Str(e, "opcode").empty() ? Str(e, "op") : Str(e, "opcode");
      if (what.empty() && !Str(e, "sequence").empty()) what = "subdomain record, sequence " + Str(e, "sequence");
      h.Text(what).Raw("</td><td class=\"hash\">");
      const std::string addr = Str(e, "address").empty() ? Str(e, "owner") : Str(e, "address");
      if (!addr.empty()) h.Link(AddressHref(addr), addr);
      h.Raw("</td><td class=\"hash\">").Text(hash).Raw("</td><td class=\"hash\">");
      h.Link(TransactionHref(Str(e, "txid")), Str(e, "txid")).Raw("</td></tr>\n");
      // The diff against the version before it (the next older entry with another hash).
      for (std::size_t k = i + 1; k < entries.size(); ++k) {
        const json& older = entries[k].second;
        const std::string before =
            Str(older, "value_hash").empty() ? Str(older, "zonefile_hash") : Str(older, "value_hash");
        if (before.empty()) continue;
        if (before != hash && IsHex(hash, 40)) {
          const json& zfs = model["zonefiles"];
          h.Raw("<tr class=\"diff-row\"><td colspan=\"6\"><details><summary>zone file changed</summary>");
          if (At(zfs, before).is_string() && At(zfs, hash).is_string()) {
            h.Raw(Diff(At(zfs, before).get<std::string>(), At(zfs, hash).get<std::string>()));
          } else {
            h.Element("p", "One of the two zone files is not held by this node.", "class=\"note\"");
          }
          h.Raw("</details></td></tr>\n");
        }
        break;
      }
    }
    h.Raw("</tbody></table><nav class=\"pager\">");
    if (hpage) h.Link(self + "?history_page=" + std::to_string(hpage - 1), "newer");
    if (entries.size() >= 20) h.Raw(" ").Link(self + "?history_page=" + std::to_string(hpage + 1), "older");
    h.Raw("</nav></section>\n");
    return h.Take();
  });
}

// An iCalendar file with one event at the name's expiry, and alarms a month and a
// week before it.
net::Response Explorer::NameCalendar(const net::Request& req, const Params& p) {
  const std::string& name = p["name"];
  Answer rec = Get("/v1/names/" + name);
  auto expire = Num(rec.body, "expire_block");
  if (!rec.Ok() || !expire) return ErrorPage(req, 404, name, "This name has no expiry to remind of.", name);
  const uint64_t last = Num(Get("/v1/info").body, "last_block_processed").value_or(0);
  const double seconds = (static_cast<double>(*expire) - static_cast<double>(last)) * m_settings.block_seconds;
  const std::time_t at = m_settings.now() + static_cast<int64_t>(seconds);
  // Text values escape \ ; , and newlines (RFC 5545 3.3.11); a name has none of
  // them, but the rule is kept.
  std::string summary;
  for (char c : "Renew " + name + " (expires at block " + std::to_string(*expire) + ")") {
    if (c == '\\' || c == ';' || c == ',') summary += '\\';
    if (c == '\n' || c == '\r') continue;
    summary += c;
  }
  std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//blockstackd//explorer//EN\r\nBEGIN:VEVENT\r\n";
  ics += "UID:" + UrlPart(name) + "-" + std::to_string(*expire) + "@blockstackd\r\n";
  ics += "DTSTAMP:" + util::FormatUtc(m_settings.now(), "%Y%m%dT%H%M%SZ") + "\r\n";
  ics += "DTSTART:" + util::FormatUtc(at, "%Y%m%dT%H%M%SZ") + "\r\n";
  ics += "SUMMARY:" + summary + "\r\n";
  ics += "DESCRIPTION:The date is estimated from " + std::to_string(m_settings.block_seconds) + " seconds a block.\r\n";
  for (const char* before : {"-P30D", "-P7D"}) {
    ics += std::string("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:") + summary + "\r\nTRIGGER:" + before +
           "\r\nEND:VALARM\r\n";
  }
  ics += "END:VEVENT\r\nEND:VCALENDAR\r\n";
  net::Response r = net::Response::Text(200, std::move(ics), "text/calendar; charset=utf-8");
  r.With("Content-Disposition", "attachment; filename=\"expiry.ics\"");
  return WithPageHeaders(std::move(r));
}

}  // namespace blockstack::explorer
