#include <gaia/hub_main.h>

#include <cstdlib>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>
#include <tuple>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <gaia/admin.h>
#include <gaia/drivers/azure_driver.h>
#include <gaia/drivers/disk_driver.h>
#include <gaia/drivers/s3_driver.h>
#include <gaia/hub.h>
#include <net/http_client.h>
#include <util/log.h>
#include <util/stop_signals.h>
#include <util/url.h>
#include <util/version.h>

namespace blockstack::gaia {

namespace {

util::Result<std::unique_ptr<Driver>> MakeDriver(const HubConfig& config) {
  if (config.driver == "disk") {
    DiskOptions options;
    options.fsync = config.disk_fsync;
    return MakeDiskDriver(config.storage_root, options);
  }
  if (config.driver == "memory") return MakeMemoryDriver();
  if (config.driver == "s3" || config.driver == "aws") return MakeS3Driver(config.s3, config.bucket, config.cache_control);
  if (config.driver == "azure") return MakeAzureDriver(config.azure, config.bucket, config.cache_control);
  if (config.driver == "google-cloud") {
    if (config.gcs_service_account_only) {
      return util::Fail(util::ErrorCode::InvalidArgument,
                        "google-cloud: service-account credentials (gcCredentials.keyFilename or credentials) are not "
                        "supported; give the bucket's HMAC keys as gcCredentials.accessKeyId and secretAccessKey (or "
                        "GAIA_GCS_ACCESS_KEY_ID and GAIA_GCS_SECRET_ACCESS_KEY); doc/gaia.md");
    }
    if (config.gcs.access_key_id.empty() || config.gcs.secret_access_key.empty()) {
      return util::Fail(util::ErrorCode::InvalidArgument,
                        "google-cloud driver needs HMAC keys: gcCredentials.accessKeyId and secretAccessKey (or "
                        "GAIA_GCS_ACCESS_KEY_ID and GAIA_GCS_SECRET_ACCESS_KEY)");
    }
    return MakeS3Driver(config.gcs, config.bucket, config.cache_control);
  }
  return util::Fail(util::ErrorCode::InvalidArgument,
                    "unknown driver '" + config.driver + "' (disk, s3, azure, google-cloud or memory)");
}

// What the command line sets over the config file and the environment.
struct CommandLine {
  std::string config_file, listen, storage_root, read_url, driver, server_name;
  bool no_fsync = false;
  std::optional<uint16_t> https_port, admin_port;
};

// The configuration from the file, then GAIA_* variables, then the command line.
util::Result<HubConfig> BuildConfig(const CommandLine& cl) {
  HubConfig config;
  if (!cl.config_file.empty()) BS_CHECK_OK(LoadHubConfigFile(cl.config_file, config));
  BS_CHECK_OK(ApplyHubConfigEnv(config));
  if (!cl.listen.empty()) {
    auto hp = util::ParseHostPort(cl.listen, true);
    if (!hp) return util::Fail(util::ErrorCode::InvalidArgument, "--listen: " + hp.error().message);
    config.host = hp->first;
    config.port = hp->second;
  }
  if (!cl.storage_root.empty()) config.storage_root = cl.storage_root;
  if (!cl.read_url.empty()) config.read_url = cl.read_url;
  if (!cl.driver.empty()) config.driver = cl.driver;
  if (!cl.server_name.empty()) config.server_name = cl.server_name;
  if (cl.no_fsync) config.disk_fsync = false;
  if (cl.https_port) config.https.port = *cl.https_port;
  if (cl.admin_port) {
    config.admin.enabled = true;
    config.admin.port = *cl.admin_port;
  }
  BS_CHECK_OK(CheckAdminSettings(config.admin));
  return config;
}

// Settings a running hub cannot take without a restart (its listeners), named as
// in the config file, that differ between a and b.
std::vector<std::string> RestartNeeded(const HubConfig& a, const HubConfig& b) {
  std::vector<std::string> out;
  auto differs = [&](bool changed, const char* key) {
    if (changed) out.emplace_back(key);
  };
  differs(a.host != b.host || a.port != b.port, "port");
  const auto& [ha, hb] = std::pair{a.https, b.https};
  differs(ha.enabled != hb.enabled || ha.port != hb.port, "enableHttps/httpsPort");
  differs(ha.cert_file != hb.cert_file || ha.key_file != hb.key_file || ha.key_passphrase != hb.key_passphrase ||
              ha.pfx_file != hb.pfx_file || ha.pfx_passphrase != hb.pfx_passphrase,
          "tlsCertConfig");
  const auto& [la, lb] = std::pair{a.limits, b.limits};
  differs(la.max_connections != lb.max_connections ||
              la.max_connections_per_address != lb.max_connections_per_address ||
              la.header_timeout_ms != lb.header_timeout_ms || la.body_timeout_ms != lb.body_timeout_ms ||
              la.min_body_rate != lb.min_body_rate || la.max_body_bytes_in_flight != lb.max_body_bytes_in_flight ||
              a.MaxUploadBytes() != b.MaxUploadBytes(),
          "serverLimits/maxFileUploadSize");
  differs(a.admin.enabled != b.admin.enabled || a.admin.port != b.admin.port || a.admin.api_keys != b.admin.api_keys,
          "adminApi");
  return out;
}

// The hub requests go to: replaced whole by a reload. A request holds the hub
// it started on until it is answered.
class LiveHub {
 public:
  std::shared_ptr<Hub> Get() const { return m_hub.load(); }
  void Set(std::shared_ptr<Hub> hub) { m_hub.store(std::move(hub)); }

 private:
  std::atomic<std::shared_ptr<Hub>> m_hub;
};

}  // namespace

int RunHub(int argc, char** argv) {
  CLI::App app{"gaia-hub: per-user file storage behind the Gaia HTTP API"};
  CommandLine cl;
  std::string log_level = "info", ca_file;
  app.set_version_flag("--version", std::string("gaia-hub ") + util::VERSION);
  const std::tuple<const char*, std::string*, const char*> text_options[] = {
      {"--config", &cl.config_file,
       "JSON config file with the original hub's keys (port, serverName, readURL, driver, "
       "diskSettings.storageRootDirectory, bucket, awsCredentials, pageSize, maxFileUploadSize, whitelist, "
       "requireCorrectHubUrl, validHubUrls, cacheControl, enableHttps, tlsCertConfig)"},
      {"--listen", &cl.listen,
       "HOST:PORT to listen on (default 127.0.0.1:<config port, 3000>); port 0 picks a free one"},
      {"--storage-root", &cl.storage_root, "disk driver: directory holding the buckets"},
      {"--read-url", &cl.read_url, "URL prefix clients read files from (default: this hub's /read/)"},
      {"--driver", &cl.driver, "storage driver: disk (default), s3, azure, google-cloud or memory"},
      {"--server-name", &cl.server_name, "server name in the challenge text (default gaia-0)"},
  };
  for (const auto& [flag, field, help] : text_options) app.add_option(flag, *field, help);
  app.add_option("--https-port", cl.https_port,
                 "with enableHttps \"cert_files\": port HTTPS listens on (default httpsPort, 443); 0 picks a free one");
  app.add_option("--admin-port", cl.admin_port,
                 "serve the admin API on this port of the listen host (keys: adminApi.apiKeys or "
                 "GAIA_ADMIN_API_KEYS); 0 picks a free one");
  app.add_flag("--no-fsync", cl.no_fsync,
               "disk driver: do not fsync writes (faster; a power cut may lose "
               "recent writes, never corrupt a file)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error");
  app.add_option("--ca-file", ca_file,
                 "Trust the CA certificates in this PEM file for https:// storage endpoints instead of the system's "
                 "store (default $GAIA_CA_FILE)")
      ->envname("GAIA_CA_FILE")
      ->check(CLI::ExistingFile);
  std::string positional_config;
  app.add_option("CONFIG", positional_config, "The config file as the original hub took it (same as --config)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  // As the original: CONFIG_PATH, else the first argument. A path given and not
  // readable is an error here (the original fell back to the defaults silently).
  if (cl.config_file.empty()) {
    const char* env = std::getenv("CONFIG_PATH");
    cl.config_file = env && *env ? env : positional_config;
  }
  if (auto st = util::InitLogging(log_level); !st) {
    std::fprintf(stderr, "gaia-hub: %s\n", st.error().message.c_str());
    return 2;
  }
  if (!ca_file.empty()) net::SetDefaultCaFile(ca_file);
  auto built = BuildConfig(cl);
  if (!built) {
    std::fprintf(stderr, "gaia-hub: %s\n", built.error().message.c_str());
    return 2;
  }
  HubConfig config = std::move(*built);

  std::optional<net::TlsOptions> tls;
  if (config.https.enabled) {
    auto loaded = LoadHttpsCertificate(config.https);
    if (!loaded) {
      std::string where = cl.config_file.empty() ? "" : cl.config_file + ": ";
      std::fprintf(stderr, "gaia-hub: %s%s\n", where.c_str(), loaded.error().message.c_str());
      return 2;
    }
    tls = std::move(*loaded);
  }
  auto store = MakeDriver(config);
  if (!store) {
    std::fprintf(stderr, "gaia-hub: %s\n", store.error().message.c_str());
    return store.error().code == util::ErrorCode::InvalidArgument ? 2 : 3;
  }
  util::StopSignals stop_signals;
  // The first hub also renders the servers' own rejections (its router's
  // fallback); it is kept for as long as they run.
  auto first = std::make_shared<Hub>(config, std::move(*store));
  LiveHub live;
  live.Set(first);
  auto options = first->ServerOptions();
  options.check_head = [&live](const net::Request& req) { return live.Get()->CheckHead(req); };
  auto handler = [&live](const net::Request& req) { return live.Get()->Handle(req); };
  auto server = net::HttpServer::Start(config.host, config.port, handler, options);
  if (!server) {
    std::fprintf(stderr, "gaia-hub: %s\n", server.error().message.c_str());
    return 3;
  }
  // HTTPS beside HTTP, as the original's "cert_files": same routes, same hub.
  std::unique_ptr<net::HttpServer> https_server;
  if (tls) {
    auto https_options = options;
    https_options.tls = std::move(tls);
    auto started = net::HttpServer::Start(config.host, config.https.port, handler, https_options);
    if (!started) {
      std::fprintf(stderr, "gaia-hub: https: %s\n", started.error().message.c_str());
      return started.error().code == util::ErrorCode::InvalidArgument ? 2 : 3;
    }
    https_server = std::move(*started);
  }
  // Where the hub says it is: its HTTPS listener when there is one.
  auto place = [&](Hub& hub) {
    if (https_server) {
      hub.SetListenAddress(config.host, https_server->Port(), "https");
    } else {
      hub.SetListenAddress(config.host, (*server)->Port());
    }
  };
  place(*first);

  std::unique_ptr<AdminApi> admin;
  std::unique_ptr<net::HttpServer> admin_server;
  if (config.admin.enabled) {
    auto reload = [&]() -> util::Result<std::vector<std::string>> {
      BS_TRY(HubConfig fresh, BuildConfig(cl));
      BS_TRY(auto driver, MakeDriver(fresh));
      auto restart = RestartNeeded(config, fresh);
      auto hub = std::make_shared<Hub>(fresh, std::move(driver));
      place(*hub);
      live.Set(std::move(hub));
      spdlog::info("gaia-hub: reloaded the configuration (driver {}, {})", fresh.driver, DescribeAuth(fresh));
      for (const auto& key : restart) spdlog::warn("gaia-hub: {} changed: it takes effect at the next restart", key);
      return restart;
    };
    admin = std::make_unique<AdminApi>(cl.config_file, config.admin.api_keys, reload);
    auto started = net::HttpServer::Start(
        config.host, config.admin.port, [&admin](const net::Request& req) { return admin->Handle(req); },
        admin->ServerOptions());
    if (!started) {
      std::fprintf(stderr, "gaia-hub: admin API: %s\n", started.error().message.c_str());
      return 3;
    }
    admin_server = std::move(*started);
  }
  spdlog::info("gaia-hub: auth: {}", DescribeAuth(config));
  // Tests and scripts read these lines to learn the ports.
  std::cout << "gaia-hub listening on http://" << config.host << ":" << (*server)->Port() << " (read URL "
            << first->ReadUrlPrefix() << ", driver " << config.driver << ")" << std::endl;
  if (https_server) {
    std::cout << "gaia-hub listening on https://" << config.host << ":" << https_server->Port() << std::endl;
  }
  if (admin_server) {
    std::cout << "gaia-hub admin API on http://" << config.host << ":" << admin_server->Port() << std::endl;
  }

  spdlog::info("gaia-hub: stopping on signal {}", stop_signals.Wait());
  if (admin_server) admin_server->Stop();
  (*server)->Stop();
  if (https_server) https_server->Stop();
  return 0;
}

}  // namespace blockstack::gaia
