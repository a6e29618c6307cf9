// The names routes: /v1/names (paged), one name's record, history and zone
// files, the same for subdomains, and /v1/subdomains.
#include <api/api.h>
#include <api/detail/answers.h>
#include <api/name_entry.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include <bitcoin/address.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <subdomain/record.h>
#include <util/bytes.h>
#include <util/json_text.h>
#include <util/text.h>
#include <util/url.h>
#include <zonefile/zonefile.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;
using detail::Ok;
using detail::ParseUint;
using detail::Truthy;
using nlohmann::json;

void Api::AddNameRoutes() {
  AddDb("GET", "/v1/names", "names", &Api::AllNamesPage);
  AddPlain("GET", "/v1/subdomains", "subdomains", &Api::SubdomainsPage);
  AddDb("GET", "/v1/names/{name}", "name", &Api::Name);
  AddDb("GET", "/v1/names/{name}/history", "name_history", &Api::NameHistory);
  AddDb("GET", "/v1/names/{name}/zonefile", "name_zonefile", &Api::NameZonefile);
  AddDb("GET", "/v1/names/{name}/zonefile/{hash}", "name_zonefile", &Api::NameZonefile);
  AddPlain("GET", "/v1/names/{name}/subdomains", "name_subdomains", &Api::SubdomainsOfName);
  AddDb("GET", "/v1/search", "search", &Api::Search);
}

// Ours: names, subdomains and namespaces that start with a prefix, for search
// boxes. Names come from the sorted list of live names kept per block (a binary
// search), subdomains from the index's key order.
net::Response Api::Search(const net::Request& req, const Params&, bns::db::NameDb& db) {
  auto it = req.query.find("prefix");
  if (it == req.query.end()) return Error(400, "prefix= argument required");
  std::string prefix = it->second;
  std::ranges::transform(prefix, prefix.begin(), [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  if (prefix.size() > bns::MAX_FQN_LENGTH * 8) return Error(400, "prefix= is too long");
  uint32_t count = 10;
  if (auto c = req.query.find("count"); c != req.query.end()) {
    auto parsed = ParseUint(c->second);
    if (!parsed || *parsed == 0 || *parsed > detail::NAMES_PER_PAGE) return Error(400, "count= is 1 to 100");
    count = *parsed;
  }
  json names = json::array(), subdomains = json::array(), namespaces = json::array();
  if (!prefix.empty()) {
    auto live = LiveNames(db, "");
    if (!live) return Backend(live.error());
    const auto& list = **live;
    for (auto at = std::lower_bound(list.begin(), list.end(), prefix);
         at != list.end() && at->starts_with(prefix) && names.size() < count; ++at) {
      names.push_back(*at);
    }
    if (m_subdomains) {
      auto subs = m_subdomains->NamesWithPrefix(prefix, count);
      if (!subs) return Backend(subs.error());
      subdomains = *subs;
    }
    auto all = db.AllNamespaces();
    if (!all) return Backend(all.error());
    for (const auto& ns : *all) {
      if (ns.namespace_id.starts_with(prefix) && namespaces.size() < count) namespaces.push_back(ns.namespace_id);
    }
  }
  return Ok({{"prefix", prefix}, {"names", names}, {"subdomains", subdomains}, {"namespaces", namespaces}});
}

// Ours: a domain's subdomains, 100 a page, in name order.
net::Response Api::SubdomainsOfName(const net::Request& req, const Params& p) {
  auto page = detail::PageOf(req, false);
  if (!page) return Error(400, "Invalid page= value");
  if (!bns::IsNameValid(p["name"])) return Error(400, "Invalid name");
  if (!m_subdomains) return Error(404, detail::NO_SUBDOMAIN_INDEX);
  auto names = m_subdomains->SubdomainsOf(p["name"], uint64_t{*page} * detail::NAMES_PER_PAGE, detail::NAMES_PER_PAGE);
  if (!names) return Backend(names.error());
  return Ok(*names);
}

net::Response Api::AllNamesPage(const net::Request& req, const Params&, bns::db::NameDb& db) {
  if (!req.query.count("page")) return Error(400, "page= argument required");
  auto page = detail::PageOf(req, true);
  if (!page) return Error(400, "Invalid page= value");
  if (Truthy(req.query, "all")) {
    auto recs = db.AllNames(*page * detail::NAMES_PER_PAGE, detail::NAMES_PER_PAGE);
    if (!recs) return Backend(recs.error());
    json out = json::array();
    for (const auto& r : *recs) out.push_back(r.name);
    return Ok(out);
  }
  auto names = LiveNames(db, "");
  if (!names) return Backend(names.error());
  return Ok(detail::PageSlice(**names, *page));
}

net::Response Api::SubdomainsPage(const net::Request& req, const Params&) {
  auto page = detail::PageOf(req, true);
  if (!page) return Error(400, req.query.count("page") ? "Invalid page= value" : "page= argument required");
  if (!m_subdomains) return Error(404, detail::NO_SUBDOMAIN_INDEX);
  auto names = m_subdomains->Names(uint64_t{*page} * detail::NAMES_PER_PAGE, detail::NAMES_PER_PAGE);
  if (!names) return Backend(names.error());
  return Ok(*names);
}

util::Result<std::optional<bns::NameRecord>> Api::LiveName(bns::db::NameDb& db, const std::string& fqn) {
  BS_TRY(auto rec, db.GetName(fqn));
  if (!rec) return rec;
  BS_TRY(auto ns, db.GetNamespace(rec->namespace_id));
  if (!ns) return std::optional<bns::NameRecord>{};
  auto st = bns::StatusAt(*rec, *ns, m_last_block, m_settings.rules.epochs, m_settings.rules.namespace_reveal_expire);
  if (!st.live) return std::optional<bns::NameRecord>{};
  return rec;
}

net::Response Api::Name(const net::Request& req, const Params& p, bns::db::NameDb& db) {
  const std::string& fqn = p["name"];
  if (!bns::IsNameValid(fqn)) return Subdomain(req, fqn, "", db);
  // The hot route: read only the fields it answers with and write the JSON
  // directly (same bytes as building it with nlohmann).
  auto rec = db.GetNameLookup(fqn);
  if (!rec) return Backend(rec.error());
  if (!*rec) return net::Response::Json(404, {{"status", "available"}});
  auto ns = db.GetNamespace((*rec)->namespace_id);
  if (!ns) return Backend(ns.error());
  if (!*ns) return net::Response::Json(404, {{"status", "available"}});
  auto st = bns::StatusAt((*rec)->first_registered, (*rec)->last_renewed, **ns, m_last_block, m_settings.rules.epochs,
                          m_settings.rules.namespace_reveal_expire);
  if (!st.live) return Error(404, detail::NAME_EXPIRED);
  return NameAnswer(**rec, st, NameDid(db, fqn));
}

net::Response Api::NameHistory(const net::Request& req, const Params& p, bns::db::NameDb& db) {
  const std::string& fqn = p["name"];
  auto page = detail::PageOf(req, false);
  if (!page) return Error(400, "Invalid page");
  if (!bns::IsNameValid(fqn)) {
    if (!m_subdomains || !subdomain::SplitSubdomainName(fqn)) return Error(400, "Invalid name or subdomain");
    return SubdomainHistory(fqn, *page);
  }
  auto rows = db.History(fqn, *page, detail::HISTORY_PER_PAGE);
  if (!rows) return Backend(rows.error());
  // As the original: a page past the end, like an unknown name, is a 404.
  if (rows->empty()) return Error(404, "Not found");
  json out = json::object();
  // Newest first across heights; each height's list in transaction order.
  for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
    json entry = json::parse(it->data, nullptr, false);
    if (!entry.is_object()) entry = json::object();
    entry["opcode"] = it->opcode;
    entry["txid"] = it->txid;
    entry["vtxindex"] = it->vtxindex;
    entry["block_number"] = it->block_id;
    out[std::to_string(it->block_id)].push_back(entry);
  }
  return Ok(out);
}

net::Response Api::NameZonefile(const net::Request& req, const Params& p, bns::db::NameDb& db) {
  const std::string& fqn = p["name"];
  const bool by_hash = !p["hash"].empty();
  if (!bns::IsNameValid(fqn)) {
    if (by_hash && m_subdomains && subdomain::SplitSubdomainName(fqn)) return SubdomainZonefile(req, fqn, p["hash"]);
    return Subdomain(req, fqn, "zonefile", db);
  }
  auto rec = LiveName(db, fqn);
  if (!rec) return Backend(rec.error());
  if (!*rec) return Error(404, "No zone file for name");
  std::optional<std::string> hash = (*rec)->value_hash;
  if (by_hash) {
    auto wanted = util::CanonicalHash160Hex(p["hash"]);
    if (!wanted) return Error(400, "Invalid zone file hash");
    if (auto ready = db.RequireHistoryIndex(); !ready) return Backend(ready.error());
    auto hashes = db.NameValueHashes(fqn);
    if (!hashes) return Backend(hashes.error());
    if (std::find(hashes->begin(), hashes->end(), *wanted) == hashes->end()) return Error(404, "No such zonefile");
    hash = *wanted;
  }
  util::Result<std::optional<std::string>> zf = std::optional<std::string>{};
  if (hash) zf = m_zonefiles.Get(*hash);
  if (!zf) return Backend(zf.error());
  if (!*zf) return Error(404, by_hash ? "No such zonefile" : "No zone file for name");
  if (Truthy(req.query, "raw")) return net::Response::Text(200, **zf, "application/octet-stream");
  return detail::ZonefileAnswer(**zf, by_hash);
}

std::optional<net::Response> Api::NameFromMemory(const net::Request& req) {
  if (!m_mirror || (req.method != "GET" && req.method != "HEAD") || !req.path.starts_with("/v1/names/")) {
    return std::nullopt;
  }
  auto path = m_router.Split(req.path);
  const auto& seg = path.segments;
  if (seg.size() != 3 || seg[0] != "v1" || seg[1] != "names" || req.repeated_query_key) return std::nullopt;
  const std::string fqn(seg[2]);
  if (!bns::IsNameValid(fqn)) return std::nullopt;  // the database path answers the error
  if (!m_mirror->Current()) return std::nullopt;
  const uint32_t last = m_last_block;
  std::optional<bns::db::NameLookup> rec;
  bns::NameStatus st;
  m_mirror->Read([&](const bns::db::NameTable& table, const bns::db::NamespaceMap& namespaces) {
    std::string_view entry = table.Find(fqn);
    if (entry.empty()) return;
    rec = DecodeNameEntry(entry.data());
    auto ns = namespaces.find(rec->namespace_id);
    if (ns == namespaces.end()) {
      rec.reset();
      return;
    }
    st = bns::StatusAt(rec->first_registered, rec->last_renewed, ns->second, last, m_settings.rules.epochs,
                       m_settings.rules.namespace_reveal_expire);
  });
  if (!rec) return net::Response::Json(404, {{"status", "available"}});
  if (!st.live) return Error(404, detail::NAME_EXPIRED);
  // The DID is read from the database once a block; until then, that path answers.
  auto did = RememberedDid(fqn);
  if (!did) return std::nullopt;
  return NameAnswer(*rec, st, *did);
}

std::string Api::AnsweredAddress(const std::string& address) const {
  const auto& params = bitcoin::Params(m_settings.rules.network);
  if (!m_settings.mainnet_addresses || params.network == bitcoin::Network::Mainnet) return address;
  auto decoded = bitcoin::DecodeAddress(address);
  if (!decoded) return address;
  const auto& mainnet = bitcoin::Params(bitcoin::Network::Mainnet);
  if (decoded->version == params.p2pkh_version || decoded->version == params.alt_p2pkh_version) {
    return bitcoin::AddressFromHash160(decoded->hash, mainnet.p2pkh_version);
  }
  if (decoded->version == params.p2sh_version || decoded->version == params.alt_p2sh_version) {
    return bitcoin::AddressFromHash160(decoded->hash, mainnet.p2sh_version);
  }
  return address;
}

net::Response Api::NameAnswer(const bns::db::NameLookup& rec, const bns::NameStatus& st,
                              const std::optional<std::string>& did) {
  std::optional<std::string> zf;
  if (rec.value_hash) {
    auto got = m_zonefiles.Get(*rec.value_hash);
    if (!got) return Backend(got.error());
    zf = std::move(*got);
  }
  // nlohmann refuses to write a string that is not UTF-8; so does this route.
  if (zf && !util::IsValidUtf8(*zf)) return Error(500, "Internal error");
  // A damaged record (a flipped byte on disk) is refused, not served: its owner
  // address would fail its checksum in every client.
  if (!rec.address.empty() && !bitcoin::DecodeAddress(rec.address)) {
    spdlog::error("api: the stored record with owner {} fails its address checksum; run blockstackd verify",
                  rec.address);
    return Error(500, "The stored record of this name is damaged; the node's operator must run blockstackd verify");
  }
  util::JsonText out(256 + (zf ? zf->size() : 0));
  out.Key("address").String(AnsweredAddress(rec.address));
  out.Key("blockchain").String("bitcoin");
  if (did) {
    out.Key("did").String(*did);
  } else {
    out.Key("did").Raw(detail::DidJson(std::nullopt).dump());
  }
  out.Key("expire_block").Signed(st.expire_block);
  out.Key("grace_period").Bool(st.in_grace);
  out.Key("last_txid").String(rec.txid);
  out.Key("renewal_deadline").Signed(st.renewal_deadline);
  // The domain's registrar, from its zone file's "_resolver" URI record.
  std::optional<std::string> resolver;
  if (zf && zf->find("_resolver") != std::string::npos) {
    if (auto parsed = zonefile::ParseZonefile(*zf)) resolver = zonefile::ResolverUri(*parsed);
  }
  out.Key("resolver").Optional(resolver);
  out.Key("status").String(rec.revoked ? "revoked" : "registered");
  out.Key("zonefile").Optional(zf);
  out.Key("zonefile_hash").Optional(rec.value_hash);
  net::Response res;
  res.body = std::move(out).Finish();
  res.headers.emplace_back("Content-Type", "application/json");
  return res;
}

net::Response Api::Subdomain(const net::Request& req, const std::string& fqn, std::string_view what,
                             bns::db::NameDb& db) {
  auto split = subdomain::SplitSubdomainName(fqn);
  if (!m_subdomains || !split) return Error(400, "Invalid name or subdomain");
  auto got = m_subdomains->Lookup(fqn);
  if (!got) return Backend(got.error());
  if (!*got) {
    if (what == "zonefile") return Error(404, "No zone file for name");
    // As the original: a subdomain not (yet) here is asked of its domain's
    // registrar, which knows the ones it has queued.
    if (auto registrar = RegistrarFor(req, split->domain, db)) {
      net::Response res;
      res.status = 301;
      res.headers.emplace_back("Location", *registrar + "/v1/names/" + fqn);
      res.headers.emplace_back("Content-Type", "application/json");
      res.body = json{{"status", "redirect"}, {"location", *registrar + "/v1/names/" + fqn}}.dump();
      return res;
    }
    return net::Response::Json(404, {{"status", "available"}});
  }
  const subdomain::SubdomainState& sub = **got;
  if (what == "zonefile") {
    if (Truthy(req.query, "raw")) return net::Response::Text(200, sub.zonefile, "application/octet-stream");
    return detail::ZonefileAnswer(sub.zonefile, /*by_hash=*/false);
  }
  // nlohmann refuses to write a string that is not UTF-8; so does this route.
  if (!util::IsValidUtf8(sub.zonefile)) return Error(500, "Internal error");
  auto did = SubdomainDid(fqn);
  return Ok({{"address", AnsweredAddress(sub.owner)},
             {"blockchain", "bitcoin"},
             {"did", detail::DidJson(did)},
             {"domain", sub.domain},
             {"last_txid", sub.txid},
             {"resolver", sub.resolver ? json(*sub.resolver) : json(nullptr)},
             {"sequence", sub.seqn},
             {"status", "registered_subdomain"},
             {"zonefile", sub.zonefile},
             {"zonefile_hash", sub.zonefile_hash}});
}

std::optional<std::string> Api::RegistrarFor(const net::Request& req, const std::string& domain,
                                             bns::db::NameDb& db) {
  auto rec = LiveName(db, domain);
  if (!rec || !*rec || !(*rec)->value_hash) return std::nullopt;
  auto text = m_zonefiles.Get(*(*rec)->value_hash);
  if (!text || !*text) return std::nullopt;
  auto zf = zonefile::ParseZonefile(**text, {.as_clients = true});
  if (!zf) return std::nullopt;
  auto uri = zonefile::ResolverUri(*zf);
  if (!uri || !std::all_of(uri->begin(), uri->end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return std::nullopt;  // nothing to put in a Location header
  }
  auto url = util::ParseUrl(*uri);
  if (!url) {
    spdlog::debug("api: {}'s registrar '{}' is not an http(s) URL; not redirecting", domain, *uri);
    return std::nullopt;
  }
  // Never into a loop: a registrar that is this node (its public URL, or the
  // host the request was sent to) is not redirected to.
  std::string self;
  {
    std::lock_guard lock(m_pool_mutex);
    self = m_settings.public_url;
  }
  auto self_url = util::ParseUrl(self);
  const std::string host = req.Header("host");
  const std::string target_hostport = url->host + ":" + std::to_string(url->port);
  if ((self_url && self_url->host == url->host && self_url->port == url->port) || host == target_hostport ||
      (host == url->host && url->port == (url->scheme == "https" ? 443 : 80))) {
    return std::nullopt;
  }
  std::string base = *uri;
  while (base.ends_with('/')) base.pop_back();
  return base;
}

net::Response Api::SubdomainHistory(const std::string& fqn, uint32_t page) {
  auto history = m_subdomains->History(fqn);
  if (!history) return Backend(history.error());
  // Paged as a name's history, oldest first; a page past the end is a 404.
  const std::size_t first = std::size_t{page} * detail::HISTORY_PER_PAGE;
  if (first >= history->size()) return Error(404, "Not found");
  const std::size_t end = std::min(history->size(), first + detail::HISTORY_PER_PAGE);
  // As the original: by block, each record with its zone file in base64.
  json out = json::object();
  for (std::size_t i = first; i < end; ++i) {
    const auto& h = (*history)[i];
    out[std::to_string(h.block_height)].push_back(detail::SubdomainRecordJson(h));
  }
  return Ok(out);
}

net::Response Api::SubdomainZonefile(const net::Request& req, const std::string& fqn, const std::string& hash) {
  auto wanted = util::CanonicalHash160Hex(hash);
  if (!wanted) return Error(400, "Invalid zone file hash");
  auto history = m_subdomains->History(fqn);
  if (!history) return Backend(history.error());
  // Any zone file the subdomain has had, as for a name.
  for (const auto& h : *history) {
    if (h.zonefile_hash != *wanted) continue;
    if (Truthy(req.query, "raw")) return net::Response::Text(200, h.zonefile, "application/octet-stream");
    return detail::ZonefileAnswer(h.zonefile, /*by_hash=*/true);
  }
  return Error(404, "No such zonefile");
}

}  // namespace blockstack::api
