#include <client/resolver.h>

#include <chrono>

#include <crypto/hash.h>
#include <util/bytes.h>
#include <zonefile/profile.h>
#include <zonefile/zonefile.h>

namespace blockstack::client {

using nlohmann::json;
using util::ErrorCode;

const char* LookupFailureName(LookupFailure f) {
  switch (f) {
    case LookupFailure::NodeUnreachable: return "node_unreachable";
    case LookupFailure::NameUnknown: return "name_unknown";
    case LookupFailure::NameExpired: return "name_expired";
    case LookupFailure::NameRevoked: return "name_revoked";
    case LookupFailure::ZonefileMissing: return "zonefile_missing";
    case LookupFailure::HashMismatch: return "hash_mismatch";
    case LookupFailure::NoProfileUrl: return "no_profile_url";
    case LookupFailure::BadSignature: return "bad_signature";
    case LookupFailure::StorageUnreachable: return "storage_unreachable";
    case LookupFailure::StorageMissing: return "storage_missing";
    case LookupFailure::DecryptFailed: return "decrypt_failed";
  }
  return "unknown";
}

namespace {

bool IsConnectionError(ErrorCode c) {
  return c == ErrorCode::Unavailable || c == ErrorCode::Timeout || c == ErrorCode::IoError || c == ErrorCode::TooLarge;
}

// Splits a bucket's directory URL "<prefix><address>/" into its read prefix and
// address; false when it has no such shape.
bool SplitBucketDir(const std::string& dir, std::string* prefix, std::string* address) {
  if (!dir.ends_with('/') || dir.size() < 2) return false;
  auto before = dir.rfind('/', dir.size() - 2);
  if (before == std::string::npos || before + 2 >= dir.size()) return false;
  *prefix = dir.substr(0, before + 1);
  *address = dir.substr(before + 1, dir.size() - before - 2);
  return true;
}

class Timer {
 public:
  explicit Timer(std::vector<LookupStep>& steps) : m_steps(steps), m_start(std::chrono::steady_clock::now()) {}
  void Done(std::string what) {
    auto now = std::chrono::steady_clock::now();
    m_steps.push_back({std::move(what), std::chrono::duration<double, std::milli>(now - m_start).count()});
    m_start = now;
  }

 private:
  std::vector<LookupStep>& m_steps;
  std::chrono::steady_clock::time_point m_start;
};

}  // namespace

LookupOutcome Resolver::Lookup(const std::string& name, const LookupOptions& options) {
  LookupResult r;
  r.name = name;
  Timer timer(r.steps);
  auto fail = [](LookupFailure kind, std::string message) -> LookupOutcome { return LookupError{kind, std::move(message)}; };

  // 1. The record.
  auto info = m_node.Name(name);
  if (!info) {
    if (info.error().code == ErrorCode::InvalidArgument) return fail(LookupFailure::NameUnknown, info.error().message);
    return fail(LookupFailure::NodeUnreachable, info.error().message);
  }
  switch (info->state) {
    case NameState::Unknown: return fail(LookupFailure::NameUnknown, name + " is not registered");
    case NameState::Expired: return fail(LookupFailure::NameExpired, name + " has expired");
    case NameState::Revoked: return fail(LookupFailure::NameRevoked, name + " has been revoked by its owner");
    case NameState::Registered: break;
  }
  r.owner = info->address;
  r.record = info->record;
  r.pending = info->pending;
  r.registrar = info->registrar;
  if (!info->zonefile_hash) return fail(LookupFailure::ZonefileMissing, name + " has no zone-file hash on chain");
  r.zonefile_hash = *info->zonefile_hash;
  timer.Done("name record from " + m_node.Url());

  // 2. The zone file: the node's copy first, then the other sources; every copy is
  // checked against the on-chain hash.
  auto matches = [&](const std::string& text) {
    return crypto::Hash160Of(util::AsBytes(text)).Hex() == r.zonefile_hash;
  };
  std::vector<std::string> mismatched;
  std::vector<std::string> unreachable;
  bool found = false;
  if (info->zonefile) {
    if (matches(*info->zonefile)) {
      r.zonefile = *info->zonefile;
      r.zonefile_source = info->pending ? info->registrar : m_node.Url();
      found = true;
    } else {
      mismatched.push_back(m_node.Url());
    }
  }
  for (std::size_t i = 0; !found && i < options.zonefile_sources.size(); ++i) {
    const std::string& source = options.zonefile_sources[i];
    std::optional<std::string> text;
    std::string from;
    if (source.find("{hash}") != std::string::npos) {
      from = source;
      from.replace(from.find("{hash}"), 6, r.zonefile_hash);
      auto res = m_storage.Get(from);
      if (!res) {
        unreachable.push_back(from);
        continue;
      }
      if (res->status == 200) text = std::move(res->body);
    } else {
      auto& client = m_sources[source];
      if (!client) {
        auto created = NodeClient::Create(source);
        if (!created) {
          unreachable.push_back(source);
          continue;
        }
        client = std::move(*created);
      }
      from = client->Url();
      auto got = client->Zonefile(r.zonefile_hash);
      if (!got) {
        unreachable.push_back(source);
        continue;
      }
      text = std::move(*got);
    }
    if (!text) continue;
    if (!matches(*text)) {
      mismatched.push_back(from);
      continue;
    }
    r.zonefile = std::move(*text);
    r.zonefile_source = from;
    found = true;
  }
  if (!found) {
    if (!mismatched.empty()) {
      std::string who;
      for (const auto& m : mismatched) who += (who.empty() ? "" : ", ") + m;
      return fail(LookupFailure::HashMismatch,
                  "the zone file served by " + who + " does not hash to " + r.zonefile_hash + " as recorded on chain");
    }
    std::string message = "no copy of zone file " + r.zonefile_hash + " was found";
    if (!unreachable.empty()) message += " (" + std::to_string(unreachable.size()) + " source(s) unreachable)";
    return fail(LookupFailure::ZonefileMissing, message);
  }
  timer.Done("zone file from " + r.zonefile_source + " (hash checked)");

  // 3. The profile URLs, in the zone file's order.
  auto parsed = zonefile::ParseZonefile(r.zonefile, {.as_clients = true});
  if (!parsed) return fail(LookupFailure::NoProfileUrl, "the zone file does not parse: " + parsed.error().message);
  auto targets = zonefile::UriTargets(*parsed);
  if (targets.empty()) return fail(LookupFailure::NoProfileUrl, "the zone file has no URI record");

  // 4. The first profile that is there and signed by the owner: each URL is tried
  // in turn, as the original clients did; schemes that cannot be fetched (file://)
  // are skipped. When none yields one, the most telling failure is reported.
  std::vector<std::string> tried;
  std::optional<LookupError> worst;
  auto note = [&](LookupFailure kind, std::string message) {
    auto rank = [](LookupFailure k) {
      return k == LookupFailure::BadSignature ? 3 : k == LookupFailure::StorageMissing ? 2 : 1;
    };
    tried.push_back(message);
    if (!worst || rank(kind) > rank(worst->kind)) worst = LookupError{kind, std::move(message)};
  };
  for (const auto& url : targets) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      tried.push_back("skipped " + url + " (only http and https URLs are fetched)");
      continue;
    }
    auto res = m_storage.Get(url);
    if (!res) {
      note(LookupFailure::StorageUnreachable, res.error().message);
      continue;
    }
    if (res->status == 404) {
      note(LookupFailure::StorageMissing, "no profile at " + url);
      continue;
    }
    if (res->status != 200) {
      note(LookupFailure::StorageUnreachable, "storage answered HTTP " + std::to_string(res->status) + " for " + url);
      continue;
    }
    auto profile = zonefile::ProfileFromTokenFile(res->body, zonefile::Signer{r.owner, ""});
    if (!profile) {
      note(LookupFailure::BadSignature,
           "the profile at " + url + " is not signed by the owner " + r.owner + ": " + profile.error().message);
      continue;
    }
    r.profile_url = url;
    r.profile = std::move(*profile);
    break;
  }
  r.profile_urls_tried = tried;
  if (r.profile_url.empty()) {
    if (!worst) return fail(LookupFailure::NoProfileUrl, "the zone file has no http or https URI record");
    if (tried.size() > 1) {
      std::string all;
      for (const auto& t : tried) all += "; " + t;
      worst->message += " (every URI record was tried" + all + ")";
    }
    return *worst;
  }
  std::string via = tried.empty() ? "" : " after " + std::to_string(tried.size()) + " other URI record(s)";
  timer.Done("profile from " + r.profile_url + via + " (signature checked against " + r.owner + ")");

  // 5. An app file.
  if (!options.data_path) return r;
  // The profile's own bucket, or the one it lists for the app.
  std::string bucket_url = r.profile_url.substr(0, r.profile_url.rfind('/') + 1);
  if (options.app) {
    const json& apps = r.profile.contains("apps") ? r.profile["apps"] : json();
    if (!apps.is_object() || !apps.contains(*options.app) || !apps[*options.app].is_string()) {
      return fail(LookupFailure::StorageMissing, "the profile lists no bucket for app " + *options.app);
    }
    bucket_url = apps[*options.app].get<std::string>();
    if (!bucket_url.ends_with('/')) bucket_url += '/';
  }
  std::string prefix;
  std::string address;
  if (!SplitBucketDir(bucket_url, &prefix, &address)) {
    return fail(LookupFailure::NoProfileUrl, "cannot find a bucket in " + bucket_url);
  }
  ReadOptions read;
  read.verify = options.verify_data;
  read.decrypt_key = options.decrypt_key;
  r.data_url = prefix + address + "/" + *options.data_path;
  auto data = ReadFile(m_storage, prefix, address, *options.data_path, read);
  if (!data) {
    const auto& e = data.error();
    if (e.code == ErrorCode::NotFound) return fail(LookupFailure::StorageMissing, e.message + " (" + r.data_url + ")");
    if (e.code == ErrorCode::Unauthorized) return fail(LookupFailure::BadSignature, e.message);
    if (e.code == ErrorCode::Corruption) return fail(LookupFailure::DecryptFailed, e.message);
    if (IsConnectionError(e.code)) return fail(LookupFailure::StorageUnreachable, e.message);
    return fail(LookupFailure::BadSignature, e.message);
  }
  r.data = std::move(*data);
  std::string what = "data from " + r.data_url;
  if (options.verify_data) what += " (signature checked against bucket " + address + ")";
  if (options.decrypt_key) what += " (decrypted)";
  timer.Done(what);
  return r;
}

}  // namespace blockstack::client
