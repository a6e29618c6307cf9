// The hub's admin API: the original's admin service (a separate process that
// edited the hub's config file and ran a command to restart it), here inside the
// hub on its own port, where a reload swaps the running configuration without
// dropping a connection.
//
//   POST /v1/admin/reload   re-reads the config file (and GAIA_* variables, and
//                           the command line): {"result": "OK"}, with
//                           "restartNeeded": [keys] for changed settings a reload
//                           cannot apply (listening ports, TLS, limits); a config
//                           that does not load is 500 {"error": why}, the running one stays
//   GET  /v1/admin/config   {"config": {...}}: the file's settings an admin may see
//   POST /v1/admin/config   a JSON object of those settings, each replacing the
//                           file's (top-level keys, as the original): checked as a
//                           whole first (400 {"error": "Invalid Gaia configuration",
//                           "more": why}), then written atomically; 200 {"message":
//                           "Config updated -- you should reload your Gaia hub now."}
//
// Every request carries "Authorization: bearer KEY" with one of the configured
// keys (compared in constant time); else 403 {"error": "forbidden"}.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <net/http_server.h>
#include <net/router.h>
#include <util/result.h>

namespace blockstack::gaia {

class AdminApi {
 public:
  // reload: applies the config file again and returns the changed settings that
  // need a restart; an error leaves the running config. config_path: "" when the
  // hub was started without one (then the config routes answer 404).
  using ReloadFunction = std::function<util::Result<std::vector<std::string>>()>;
  AdminApi(std::string config_path, std::vector<std::string> api_keys, ReloadFunction reload);

  net::Response Handle(const net::Request& req);
  net::ServerOptions ServerOptions() const;

  // The top-level config keys the admin API reads and writes.
  static const std::vector<std::string>& Settings();

 private:
  bool Authorized(const net::Request& req) const;
  net::Response GetConfig();
  net::Response SetConfig(const net::Request& req);
  net::Response Reload();

  std::string m_config_path;
  std::vector<std::string> m_api_keys;
  ReloadFunction m_reload;
  std::mutex m_mutex;  // one read-modify-write of the file, or one reload, at a time
  net::Router m_router;
};

}  // namespace blockstack::gaia
