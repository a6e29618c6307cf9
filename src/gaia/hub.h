// The Gaia hub (spec gaia.md §1): store, delete, list-files, revoke-all and
// hub_info over a storage driver, plus reads of stored files (GET/HEAD with
// ETag, Last-Modified, Cache-Control, If-None-Match) and /metrics.
//
// Handle() is thread-safe: requests for different paths proceed in parallel; two
// modifications of one path never interleave (the second gets 409).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include <gaia/auth.h>
#include <gaia/config.h>
#include <gaia/driver.h>
#include <net/http_server.h>
#include <net/metrics.h>
#include <net/router.h>
#include <util/lru_cache.h>

namespace blockstack::gaia {

class Hub {
 public:
  // Files larger than this are read and sent a piece at a time.
  static constexpr uint64_t STREAM_ABOVE = 4 * 1024 * 1024;

  Hub(HubConfig config, std::unique_ptr<Driver> driver);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // The read URL prefix to report and build publicURLs with: config readURL when
  // set, else the driver's own, else {scheme}://{host}:{port}/read/. Call once the
  // listening port is known; before that the hub uses the configured port. The
  // path reads are served under never depends on the port, so the routes built
  // at construction stay (a router is not replaced while serving).
  void SetListenAddress(const std::string& host, uint16_t port, std::string_view scheme = "http");
  const std::string& ReadUrlPrefix() const { return m_read_prefix; }

  net::Response Handle(const net::Request& req);
  // ServerOptions::check_head: the answer to a store, list-files or revoke-all
  // that its headers alone refuse (token, scopes, path), before the body is read.
  std::optional<net::Response> CheckHead(const net::Request& req);
  // Server options matching this hub: body limit = upload limit, errors rendered
  // in the hub's JSON shape with CORS headers.
  net::ServerOptions ServerOptions();

  net::Metrics& Metrics() { return m_metrics; }

 private:
  // The routes, under the read path of the moment (SetListenAddress).
  void BuildRoutes();
  // CORS headers and metrics for an answer on route.
  void Finish(net::Response& res, std::string_view route, std::chrono::steady_clock::time_point start);
  net::Response HubInfo() const;
  net::Response Store(const net::Request& req, const std::string& address, std::string path);
  net::Response Delete(const net::Request& req, const std::string& address, std::string path);
  net::Response ListFiles(const net::Request& req, const std::string& address);
  net::Response RevokeAll(const net::Request& req, const std::string& address);
  net::Response ReadFile(const net::Request& req, const std::string& top, const std::string& path);

  HubResult<Authorization> Authenticate(const net::Request& req, const std::string& address, bool check_revocation);
  // Authenticate, then the scopes of a store (or a delete) of path (§2.5).
  HubResult<Authorization> AuthorizeModification(const net::Request& req, const std::string& address,
                                                 const std::string& path, bool store);
  HubResult<double> RevocationTimestamp(const std::string& address);
  // Quotas (HubConfig::bucket_quota): a write's change in bytes and files is
  // reserved before it is made (refused with 507 over the quota) and given back
  // when it fails. A bucket's usage is counted from its listing on first use,
  // and again after USAGE_RECOUNT when other hubs share the storage.
  struct Usage {
    int64_t bytes = 0;
    int64_t files = 0;
  };
  static constexpr std::chrono::seconds USAGE_RECOUNT{10};
  struct CountedUsage {
    Usage usage;
    std::chrono::steady_clock::time_point counted;
  };
  HubResult<void> ReserveQuota(const std::string& address, Usage change);
  // Calls each with every object under address whose path starts with prefix,
  // through the driver's pages, at most max_pages of them. Whether the listing
  // ended within them.
  HubResult<bool> ForEachListed(const std::string& address, const std::string& prefix, bool with_stat, int max_pages,
                                const std::function<void(ListEntry&)>& each);
  void ReleaseQuota(const std::string& address, Usage change);
  std::string PublicUrl(const std::string& address, const std::string& path) const;

  // A try-lock on "{address}/{path}": held for the life of the guard.
  class PathGuard {
   public:
    PathGuard(Hub& hub, std::string key);
    ~PathGuard();
    bool Acquired() const { return m_acquired; }

   private:
    Hub& m_hub;
    std::string m_key;
    bool m_acquired;
  };

  HubConfig m_config;
  std::unique_ptr<Driver> m_driver;
  AuthSettings m_auth_settings;
  AuthCache m_auth_cache;
  util::LruCache<std::string, double> m_revocations;
  // Where large upload bodies are spooled when the driver has no place of its
  // own (remote drivers): a directory of this hub's under the system's temporary
  // directory, removed with the hub.
  std::string m_spool_dir;
  bool m_own_spool_dir = false;
  std::string m_read_prefix;
  std::string m_read_path;  // the path part of m_read_prefix, served by ReadFile
  std::string m_routed_read_path;  // the read path m_router was built for
  std::mutex m_locks_mutex;
  std::unordered_set<std::string> m_locked_paths;
  std::mutex m_usage_mutex;
  std::map<std::string, CountedUsage> m_usage;  // buckets under a quota, once counted
  net::Metrics m_metrics;
  net::Router m_router;
};

}  // namespace blockstack::gaia
