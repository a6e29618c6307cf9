// blockstack gaia dump | restore | migrate: a bucket to a directory and back, and
// a user's buckets to a new hub, every copy read back and its signature checked
// before anything points at it.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <bitcoin/address.h>
#include <cli/common.h>
#include <client/bucket_copy.h>
#include <client/ecies.h>
#include <client/resolver.h>
#include <crypto/hash.h>
#include <util/fsync.h>
#include <zonefile/profile.h>
#include <zonefile/zonefile.h>

namespace blockstack::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using util::ErrorCode;
using util::Fail;

constexpr const char* DUMP_FORMAT = "blockstack-gaia-dump/1";

struct BucketOpts {
  std::string hub, key, dir, name, from, to, state;
  std::vector<std::string> app_keys;  // ORIGIN=SPEC
  KeyOpts keys;
  bool quiet = false, any_address = false, update_zonefile = false;
  std::string payer_key;
};

std::string Sha256Hex(util::ByteView data) { return util::ToHex(crypto::Sha256(data).view()); }

// Checks the signature of every signed file in `paths` as `hub` now serves it.
util::Result<std::size_t> VerifySignatures(client::GaiaClient& hub, const std::vector<std::string>& paths) {
  std::set<std::string> all(paths.begin(), paths.end());
  std::size_t checked = 0;
  for (const auto& p : paths) {
    if (p.ends_with(".sig") && all.count(p.substr(0, p.size() - 4))) continue;
    bool has_sig = all.count(p + ".sig") > 0;
    BS_TRY(auto file, client::ReadStored(hub, p));
    auto kind = client::SignatureOf(file, has_sig);
    if (kind == client::SignatureKind::None) continue;
    std::optional<util::Bytes> sig;
    if (kind == client::SignatureKind::SigFile) {
      BS_TRY(auto s, client::ReadStored(hub, p + ".sig"));
      sig = std::move(s.data);
    }
    BS_CHECK_OK(client::VerifyStoredSignature(file, sig, hub.Config().address));
    ++checked;
  }
  return checked;
}

void AddDump(CLI::App& gaia, Globals& g) {
  auto o = std::make_shared<BucketOpts>();
  auto* dump =
      gaia.add_subcommand("dump", "Write every file of a bucket (signatures and content types too) to a directory");
  dump->add_option("--hub", o->hub, "Hub URL")->required();
  dump->add_option("--key", o->key, "The bucket's key (a key spec; default with a keychain: the owner key)");
  AddKeychainOptions(dump, o->keys);
  dump->add_option("--out", o->dir, "A new or empty directory")->required();
  dump->add_flag("--quiet", o->quiet, "No progress output");
  dump->callback([&g, o] {
    auto st = [&]() -> util::Status {
      BS_TRY(auto key, ResolveKey(o->keys, o->key));
      BS_TRY(auto hub, client::GaiaClient::Connect(o->hub, key));
      fs::path dir = o->dir;
      std::error_code ec;
      if (fs::exists(dir / "manifest.json")) {
        return Fail(ErrorCode::InvalidArgument, o->dir + " already holds a dump (manifest.json)");
      }
      fs::create_directories(dir / "files", ec);
      if (ec) return Fail(ErrorCode::IoError, "cannot create " + (dir / "files").string() + ": " + ec.message());
      BS_TRY(auto paths, client::ListBucket(*hub));
      Progress progress(paths.size(), o->quiet || g.json_output);
      json files = json::array();
      uint64_t bytes = 0;
      for (std::size_t i = 0; i < paths.size(); ++i) {
        progress.Step(i + 1, "read " + paths[i]);
        BS_TRY(auto f, client::ReadStored(*hub, paths[i]));
        std::string local = fmt::format("files/{:06}", i + 1);
        BS_CHECK_OK(util::WriteFileAtomically((dir / local).string(), util::AsChars(f.data)));
        files.push_back({{"path", f.path},
                         {"file", local},
                         {"size", f.data.size()},
                         {"content_type", f.content_type},
                         {"sha256", Sha256Hex(f.data)}});
        bytes += f.data.size();
      }
      const auto& cfg = hub->Config();
      json manifest{{"format", DUMP_FORMAT},
                    {"hub", cfg.server},
                    {"read_url_prefix", cfg.url_prefix},
                    {"address", cfg.address},
                    {"created", std::time(nullptr)},
                    {"files", files}};
      BS_CHECK_OK(util::WriteFileAtomically((dir / "manifest.json").string(), manifest.dump(1)));
      if (!paths.empty()) progress.Done(fmt::format("{} files, {} bytes", paths.size(), bytes));
      Print(g, {{"address", cfg.address}, {"files", paths.size()}, {"bytes", bytes}, {"out", o->dir}},
            fmt::format("dumped {} files ({} bytes) of bucket {} to {}\n", paths.size(), bytes, cfg.address, o->dir));
      return util::Ok();
    }();
    if (!st) Report(g, st.error());
  });
}

void AddRestore(CLI::App& gaia, Globals& g) {
  auto o = std::make_shared<BucketOpts>();
  auto* restore = gaia.add_subcommand("restore", "Write a dump's files back to a hub, each read back and compared");
  restore->add_option("--hub", o->hub, "Hub URL")->required();
  restore->add_option("--key", o->key, "The bucket's key (a key spec; default with a keychain: the owner key)");
  AddKeychainOptions(restore, o->keys);
  restore->add_option("--from", o->dir, "A directory written by gaia dump")->required();
  restore->add_flag("--any-address", o->any_address,
                    "Restore into a bucket other than the dumped one (signatures still name the old one)");
  restore->add_flag("--quiet", o->quiet, "No progress output");
  restore->callback([&g, o] {
    auto st = [&]() -> util::Status {
      fs::path dir = o->dir;
      BS_TRY(std::string text, ReadFileText((dir / "manifest.json").string()));
      json manifest = json::parse(text, nullptr, false);
      if (!manifest.is_object() || manifest.value("format", "") != DUMP_FORMAT || !manifest.contains("files") ||
          !manifest["files"].is_array()) {
        return Fail(ErrorCode::Corruption, (dir / "manifest.json").string() + " is not a gaia dump manifest");
      }
      BS_TRY(auto key, ResolveKey(o->keys, o->key));
      BS_TRY(auto hub, client::GaiaClient::Connect(o->hub, key));
      const std::string dumped = manifest.value("address", "");
      if (dumped != hub->Config().address && !o->any_address) {
        return Fail(ErrorCode::InvalidArgument, "the dump is of bucket " + dumped + ", the key's bucket is " +
                                                    hub->Config().address + " (--any-address to restore anyway)");
      }
      const auto& files = manifest["files"];
      Progress progress(files.size(), o->quiet || g.json_output);
      uint64_t bytes = 0;
      for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& e = files[i];
        if (!e.is_object() || !e.contains("path") || !e["path"].is_string() || !e.contains("file") ||
            !e["file"].is_string() || !e.contains("sha256") || !e["sha256"].is_string()) {
          return Fail(ErrorCode::Corruption, fmt::format("manifest entry {} is malformed", i + 1));
        }
        std::string local = e["file"];
        if (local.find("..") != std::string::npos || local.starts_with('/')) {
          return Fail(ErrorCode::Corruption, "manifest entry " + local + " points outside the dump");
        }
        progress.Step(i + 1, "write " + e["path"].get<std::string>());
        BS_TRY(std::string data, ReadFileText((dir / local).string()));
        if (Sha256Hex(util::AsBytes(data)) != e["sha256"]) {
          return Fail(ErrorCode::Corruption, local + " does not match its SHA-256 in the manifest");
        }
        client::StoredFile f{e["path"], util::Bytes(data.begin(), data.end()), e.value("content_type", "")};
        BS_CHECK_OK(client::WriteStoredVerified(*hub, f));
        bytes += f.data.size();
      }
      if (!files.empty()) progress.Done(fmt::format("{} files, {} bytes", files.size(), bytes));
      Print(g, {{"address", hub->Config().address}, {"files", files.size()}, {"bytes", bytes}, {"hub", o->hub}},
            fmt::format("restored {} files ({} bytes) to bucket {} on {}\n", files.size(), bytes, hub->Config().address,
                        o->hub));
      return util::Ok();
    }();
    if (!st) Report(g, st.error());
  });
}

// The bucket address at the end of a bucket URL (".../ADDRESS/" or ".../ADDRESS").
std::string AddressOfBucketUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto slash = url.rfind('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

// The journal of a migration: one line per file copied and read back,
// "ADDRESS PATH-AS-JSON SHA256". Appended as it goes, so a re-run after an
// interruption copies nothing twice.
class Journal {
 public:
  static util::Result<Journal> Open(const std::string& path) {
    Journal j;
    j.m_path = path;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;  // a line cut by a crash has no newline and no effect but itself
      auto sp = line.find(' ');
      auto last = line.rfind(' ');
      if (sp == std::string::npos || last == sp) continue;
      json p = json::parse(line.substr(sp + 1, last - sp - 1), nullptr, false);
      if (!p.is_string()) continue;
      j.m_done.insert(line.substr(0, sp) + "/" + p.get<std::string>());
    }
    j.m_out.open(path, std::ios::app);
    if (!j.m_out) return Fail(ErrorCode::IoError, "cannot write the migration journal " + path);
    return j;
  }
  bool Done(const std::string& address, const std::string& path) const {
    return m_done.count(address + "/" + path) > 0;
  }
  void Record(const std::string& address, const std::string& path, const std::string& sha256) {
    m_out << address << ' ' << json(path).dump() << ' ' << sha256 << '\n' << std::flush;
    m_done.insert(address + "/" + path);
  }
  const std::string& Path() const { return m_path; }

 private:
  std::string m_path;
  std::set<std::string> m_done;
  std::ofstream m_out;
};

struct Bucket {
  std::string origin;  // "" for the owner's own bucket
  crypto::PrivateKey key;
};

void AddMigrate(CLI::App& gaia, Globals& g) {
  auto o = std::make_shared<BucketOpts>();
  auto* mig = gaia.add_subcommand(
      "migrate",
      "Copy a name's buckets (its profile's and every app's) to a new hub, verify every copy, then point "
      "the profile (and with --update-zonefile the zone file) at the new hub");
  mig->add_option("NAME", o->name, "The name whose profile lists the buckets")->required();
  mig->add_option("--from", o->from, "The hub the buckets are on now (its write URL)")->required();
  mig->add_option("--to", o->to, "The new hub")->required();
  mig->add_option("--key", o->key, "The name owner's key (default with a keychain: its owner key)");
  AddKeychainOptions(mig, o->keys);
  mig->add_option("--app-key", o->app_keys,
                  "ORIGIN=KEY: the app key of a bucket the keychain does not derive (repeatable)");
  mig->add_option("--state", o->state, "The journal that lets a re-run resume (default ./gaia-migrate-NAME.log)");
  mig->add_flag("--update-zonefile", o->update_zonefile,
                "Also send a NAME_UPDATE whose zone file points at the new profile, and wait for it");
  mig->add_option("--payer-key", o->payer_key, "With --update-zonefile: another key that pays the fee");
  mig->add_flag("--quiet", o->quiet, "No progress output");
  mig->callback([&g, o] {
    auto st = [&]() -> util::Status {
      // 1. The name, its verified profile and the buckets it lists.
      BS_TRY(auto node, client::NodeClient::Create(g.node));
      client::UrlFetcher storage("storage");
      client::Resolver resolver(*node, storage);
      auto outcome = resolver.Lookup(o->name);
      if (auto* err = std::get_if<client::LookupError>(&outcome)) {
        return Fail(ErrorCode::NotFound, "cannot resolve " + o->name + ": " + err->message);
      }
      auto found = std::get<client::LookupResult>(std::move(outcome));
      BS_TRY(auto owner_key, ResolveKey(o->keys, o->key));
      BS_TRY(auto owner_addr, bitcoin::DecodeAddress(found.owner));
      if (crypto::Hash160Of(owner_key.GetPublicKey().Serialize()) != owner_addr.hash) {
        return Fail(ErrorCode::Unauthorized, o->name + " is owned by " + found.owner + ", not by the key given");
      }
      std::vector<Bucket> buckets{{"", owner_key}};
      std::map<std::string, std::string> given;
      for (const auto& a : o->app_keys) {
        auto eq = a.rfind('=');
        if (eq == std::string::npos) return Fail(ErrorCode::InvalidArgument, "--app-key takes ORIGIN=KEY");
        given[a.substr(0, eq)] = a.substr(eq + 1);
      }
      json apps =
          found.profile.contains("apps") && found.profile["apps"].is_object() ? found.profile["apps"] : json::object();
      std::optional<client::Keychain> keychain;
      if (o->keys.HasKeychain()) {
        BS_TRY(keychain, LoadKeychain(o->keys));
      }
      for (const auto& [origin, url] : apps.items()) {
        if (!url.is_string()) continue;
        std::string want = AddressOfBucketUrl(url);
        std::vector<crypto::PrivateKey> candidates;
        if (given.count(origin)) {
          BS_TRY(auto k, ResolveKey(o->keys, given[origin], false));
          candidates.push_back(k);
        }
        if (keychain) {
          if (auto k = keychain->AppKey(o->keys.identity, origin)) candidates.push_back(*k);
          if (auto k = keychain->AppKeyV2(o->keys.identity, origin)) candidates.push_back(*k);
        }
        auto match = std::find_if(candidates.begin(), candidates.end(),
                                  [&](const auto& k) { return client::GaiaAddress(k.GetPublicKey()) == want; });
        if (match == candidates.end()) {
          return Fail(ErrorCode::InvalidArgument,
                      "no key for the bucket " + want + " of app " + origin + ": give --app-key '" + origin + "=KEY'");
        }
        buckets.push_back({origin, *match});
      }

      // The profile's own file is written last, pointing at the new hub (step 4).
      std::string profile_path = "profile.json";
      {
        const std::string marker = "/" + client::GaiaAddress(owner_key.GetPublicKey()) + "/";
        if (auto at = found.profile_url.find(marker); at != std::string::npos) {
          profile_path = found.profile_url.substr(at + marker.size());
        }
      }

      // 2. Copy every file not yet in the journal, each read back from the new hub.
      std::string journal_path = o->state.empty() ? "gaia-migrate-" + o->name + ".log" : o->state;
      BS_TRY(auto journal, Journal::Open(journal_path));
      if (!o->quiet && !g.json_output) std::cerr << "journal: " << journal.Path() << "\n";
      std::size_t copied = 0, skipped = 0, signatures = 0;
      uint64_t bytes = 0;
      json new_apps = apps;
      std::string new_prefix;
      for (const auto& b : buckets) {
        BS_TRY(auto from, client::GaiaClient::Connect(o->from, b.key));
        BS_TRY(auto to, client::GaiaClient::Connect(o->to, b.key));
        const std::string address = from->Config().address;
        new_prefix = to->Config().url_prefix;
        BS_TRY(auto paths, client::ListBucket(*from));
        if (b.origin.empty()) std::erase(paths, profile_path);
        Progress progress(paths.size(), o->quiet || g.json_output);
        const std::string label = b.origin.empty() ? "profile bucket" : b.origin;
        for (std::size_t i = 0; i < paths.size(); ++i) {
          if (journal.Done(address, paths[i])) {
            ++skipped;
            continue;
          }
          progress.Step(i + 1, label + ": " + paths[i]);
          BS_TRY(auto f, client::ReadStored(*from, paths[i]));
          auto written = client::WriteStoredVerified(*to, f);
          if (!written) {
            return Fail(written.error().code, "copying " + paths[i] + " of " + label + " to " + o->to + ": " +
                                                  written.error().message +
                                                  " (nothing was published; re-run to resume)");
          }
          journal.Record(address, paths[i], Sha256Hex(f.data));
          ++copied;
          bytes += f.data.size();
        }
        progress.Done(fmt::format("{}: {} files", label, paths.size()));
        // 3. Every signature, as the new hub serves the files.
        auto checked = VerifySignatures(*to, paths);
        if (!checked) {
          return Fail(checked.error().code,
                      label + " on " + o->to + ": " + checked.error().message + " (nothing was published)");
        }
        signatures += *checked;
        if (!b.origin.empty()) new_apps[b.origin] = to->Config().url_prefix + address + "/";
      }

      // 4. Only now: the profile, pointing at the new hub, signed by the owner.
      json profile = found.profile;
      profile["apps"] = new_apps;
      BS_TRY(auto owner_hub, client::GaiaClient::Connect(o->to, owner_key));
      int64_t now = std::time(nullptr);
      auto tokens = zonefile::MakeTokenFile(zonefile::SignProfileToken(profile, owner_key, now, now + 365LL * 86400));
      client::PutOptions put;
      put.encrypt = false;
      put.content_type = "application/json";
      BS_TRY(auto put_result, owner_hub->PutFile(profile_path, util::AsBytes(tokens.dump(2)), put));
      json summary{{"name", o->name},
                   {"buckets", buckets.size()},
                   {"copied", copied},
                   {"already_copied", skipped},
                   {"bytes", bytes},
                   {"signatures_checked", signatures},
                   {"profile_url", put_result.public_url},
                   {"journal", journal.Path()}};
      std::string human =
          fmt::format("{} buckets: {} files copied ({} bytes), {} already copied, {} signatures checked\nprofile: {}\n",
                      buckets.size(), copied, bytes, skipped, signatures, put_result.public_url);

      // 5. With --update-zonefile: the zone file points at the new profile.
      if (o->update_zonefile) {
        // The name's zone file with the old profile URL replaced, other records kept;
        // a new zone file when the URL is not written there as is.
        std::string zf = found.zonefile;
        auto at = found.profile_url.empty() ? std::string::npos : zf.find(found.profile_url);
        if (at == std::string::npos) {
          zf = zonefile::MakeZonefile(o->name, {put_result.public_url});
        } else {
          zf.replace(at, found.profile_url.size(), put_result.public_url);
        }
        BS_TRY(json upd, UpdateZonefile(g, o->keys, o->key, o->payer_key, o->name, zf));
        summary["zonefile_update"] = upd;
        human +=
            fmt::format("zone file updated: {} in block {}\n", upd["txid"].get<std::string>(), upd["block"].dump());
      } else {
        human += "the zone file still points at the old profile: run again with --update-zonefile, or update it\n";
      }
      Print(g, summary, human);
      return util::Ok();
    }();
    if (!st) ReportSent(g, st.error());
  });
}

}  // namespace

void AddBucketCommands(CLI::App& gaia, Globals& g) {
  AddDump(gaia, g);
  AddRestore(gaia, g);
  AddMigrate(gaia, g);
}

}  // namespace blockstack::cli
