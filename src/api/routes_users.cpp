// The resolver routes: a user's profile (/v1/users/{name}) and a DID's document
// (/v1/dids/{did}). The node fetches the profile itself: zone file -> its URI
// records in order -> a token file signed by the owner. Fetches are bounded in
// time, rate and size, run on the server's worker threads, and their results
// (failures too) are cached for a while, so a slow or hostile storage server
// costs at most one bounded fetch per TTL.
#include <api/api.h>
#include <api/detail/answers.h>

#include <spdlog/spdlog.h>

#include <bitcoin/address.h>
#include <bns/did.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <net/http_client.h>
#include <subdomain/index.h>
#include <subdomain/record.h>
#include <util/url.h>
#include <zonefile/profile.h>
#include <zonefile/zonefile.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;
using detail::Ok;
using nlohmann::json;

namespace {

constexpr std::size_t MAX_PROFILE_BYTES = 1024000;  // the original's RPC_MAX_PROFILE_LEN
constexpr auto FETCH_TIMEOUT = std::chrono::seconds(5);
constexpr std::size_t FETCH_MIN_RATE = 4096;  // bytes a second, after the first second

}  // namespace

void Api::AddUserRoutes() {
  AddDb("GET", "/v1/users/{name}", "users", &Api::User);
  AddDb("GET", "/v1/dids/{did}", "dids", &Api::Did);
}

bool Api::IsResolverRoute(const net::Request& req) {
  return req.path.starts_with("/v1/users/") || req.path.starts_with("/v1/dids/");
}

Api::ResolvedProfile Api::ResolveProfile(const std::string& owner, const std::string& zonefile_text) {
  const std::string key = owner + "\n" + zonefile_text;
  const auto now = std::chrono::steady_clock::now();
  if (auto cached = m_profiles.Get(key); cached && now - cached->fetched < m_settings.profile_ttl) return *cached;
  ResolvedProfile out;
  out.fetched = now;
  auto zf = zonefile::ParseZonefile(zonefile_text, {.as_clients = true});
  if (!zf) {
    out.error = "Invalid zone file: " + zf.error().message;
  } else {
    out.zonefile = zonefile::ToJson(*zf);
    out.error = "No profile URL in the zone file";
    for (const auto& url : zonefile::UriTargets(*zf)) {
      auto parsed = util::ParseUrl(url);
      if (!parsed) continue;
      net::HttpClientOptions options;
      options.timeout = FETCH_TIMEOUT;
      options.max_response_bytes = MAX_PROFILE_BYTES;
      options.min_rate = FETCH_MIN_RATE;
      options.peer_name = "profile storage";
      auto client = net::HttpClient::Create(parsed->Origin(), options);
      if (!client) continue;
      auto res = (*client)->Send("GET", parsed->target);
      if (!res) {
        out.error = "Failed to fetch the profile: " + res.error().message;
        continue;
      }
      if (res->status != 200) {
        out.error = "Failed to fetch the profile: " + url + " answered HTTP " + std::to_string(res->status);
        continue;
      }
      auto verified = zonefile::VerifyTokenFile(res->body, zonefile::Signer{owner, ""});
      if (!verified) {
        out.error = "The profile at " + url + " is not signed by the owner " + owner;
        continue;
      }
      out.profile = std::move(verified->profile);
      out.public_key = std::move(verified->public_key);
      out.url = url;
      out.error.clear();
      break;
    }
  }
  m_profiles.Put(key, out);
  return out;
}

net::Response Api::User(const net::Request&, const Params& p, bns::db::NameDb& db) {
  // As the original: a bare username is in the "id" namespace.
  std::string fqn = p["name"];
  if (fqn.find('.') == std::string::npos) fqn += ".id";
  auto fail = [&](unsigned status, const std::string& error) {
    return net::Response::Json(status, {{fqn, {{"error", error}}}});
  };
  std::string owner;
  std::optional<std::string> text;
  if (bns::IsNameValid(fqn)) {
    auto rec = LiveName(db, fqn);
    if (!rec) return Backend(rec.error());
    if (!*rec) return fail(404, "Name not found");
    if ((*rec)->revoked) return fail(404, "Name is revoked");
    if (!(*rec)->value_hash) return fail(404, "Name has no user record hash defined");
    owner = (*rec)->address;
    auto zf = m_zonefiles.Get(*(*rec)->value_hash);
    if (!zf) return Backend(zf.error());
    text = std::move(*zf);
  } else if (m_subdomains && subdomain::SplitSubdomainName(fqn)) {
    auto sub = m_subdomains->Lookup(fqn);
    if (!sub) return Backend(sub.error());
    if (!*sub) return fail(404, "Name not found");
    owner = (*sub)->owner;
    text = (*sub)->zonefile;
  } else {
    return fail(400, "Invalid name");
  }
  if (!text) return fail(404, "Zone file not found");
  auto resolved = ResolveProfile(owner, *text);
  if (!resolved.error.empty()) return fail(404, resolved.error);
  // Social proofs are not checked (doc/compatibility.md): no verifications.
  return Ok({{fqn,
              {{"owner_address", owner},
               {"profile", resolved.profile},
               {"public_key", resolved.public_key},
               {"verifications", json::array()},
               {"zone_file", resolved.zonefile}}}});
}

std::optional<std::optional<std::string>> Api::RememberedDid(const std::string& fqn) {
  auto hit = m_dids.Get(fqn);
  if (!hit || hit->first != m_blocks_seen) return std::nullopt;
  return hit->second;
}

std::optional<std::string> Api::NameDid(bns::db::NameDb& db, const std::string& fqn) {
  const uint64_t blocks = m_blocks_seen;
  if (auto hit = m_dids.Get(fqn); hit && hit->first == blocks) return hit->second;
  auto creation = db.CreationOf(fqn);
  if (!creation) return std::nullopt;  // catching up: not remembered, asked again
  std::optional<std::string> did;
  if (*creation) {
    if (auto made = bns::NameDid((*creation)->address, (*creation)->index, m_settings.rules.Net())) did = *made;
  }
  m_dids.Put(fqn, {blocks, did});
  return did;
}

std::optional<std::string> Api::SubdomainDid(const std::string& fqn) {
  if (!m_subdomains) return std::nullopt;
  auto creator = m_subdomains->Creator(fqn);
  if (!creator || !*creator) return std::nullopt;
  auto index = m_subdomains->CreationIndex(fqn, bns::OwnerForms(**creator, m_settings.rules.Net()));
  if (!index || !*index) return std::nullopt;
  auto did = bns::SubdomainDid(**creator, **index);
  if (!did) return std::nullopt;
  return *did;
}

net::Response Api::Did(const net::Request&, const Params& p, bns::db::NameDb& db) {
  auto fail = [](const std::string& why) { return Error(404, "Failed to get DID record: " + why); };
  auto did = bns::ParseDid(p["did"]);
  if (!did) {
    if (did.error().code == util::ErrorCode::NotFound) return fail("Failed to resolve DID to a non-revoked name");
    return Error(400, "Invalid DID");
  }
  const auto& net = m_settings.rules.Net();
  const auto owners = bns::OwnerForms(did->hash, did->p2sh, net);
  std::string name, owner, text;
  if (did->subdomain) {
    if (!m_subdomains) return Error(404, detail::NO_SUBDOMAIN_INDEX);
    auto fqn = m_subdomains->CreatedBy(owners, did->index);
    if (!fqn) return Backend(fqn.error());
    if (!*fqn) return fail("Failed to load subdomain from " + p["did"]);
    auto sub = m_subdomains->Lookup(**fqn);
    if (!sub) return Backend(sub.error());
    if (!*sub) return fail("Failed to load subdomain from " + p["did"]);
    name = **fqn;
    owner = (*sub)->owner;
    text = (*sub)->zonefile;
  } else {
    // The index-th name the address created, the address read on this network.
    auto found = db.NameCreatedBy(owners.front(), did->index);
    if (!found) return Backend(found.error());
    if (!*found) return fail("Failed to resolve DID to a non-revoked name");
    auto rec = LiveName(db, **found);
    if (!rec) return Backend(rec.error());
    if (!*rec || (*rec)->revoked) return fail("Failed to resolve DID to a non-revoked name");
    if (!(*rec)->value_hash) return Error(404, "No zone file hash in name record for " + p["did"]);
    auto zf = m_zonefiles.Get(*(*rec)->value_hash);
    if (!zf) return Backend(zf.error());
    if (!*zf) return Error(404, "Failed to get zone file for " + p["did"]);
    name = **found;
    owner = (*rec)->address;
    text = std::move(**zf);
  }
  auto resolved = ResolveProfile(owner, text);
  if (!resolved.error.empty()) return fail(resolved.error);
  if (resolved.public_key.empty()) return fail("no public key signed the profile");
  json document = resolved.profile.is_object() ? resolved.profile : json::object();
  document["@context"] = "https://w3id.org/did/v1";
  document["publicKey"] =
      json::array({{{"id", p["did"]}, {"publicKeyHex", resolved.public_key}, {"type", "secp256k1"}}});
  // "name" is ours (the original answered only the document and key): it lets a
  // client resolve the name itself and check the key against it.
  return Ok({{"document", document}, {"public_key", resolved.public_key}, {"name", name}});
}

}  // namespace blockstack::api
