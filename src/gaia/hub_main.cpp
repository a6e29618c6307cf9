#include <gaia/hub_main.h>

#include <cstdlib>

#include <cstdio>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

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
                    "unknown driver '" + config.driver + "' (disk, s3, google-cloud or memory)");
}

}  // namespace

int RunHub(int argc, char** argv) {
  CLI::App app{"gaia-hub: per-user file storage behind the Gaia HTTP API"};
  std::string config_file, listen, storage_root, read_url, driver, server_name, log_level = "info", ca_file;
  bool no_fsync = false;
  app.set_version_flag("--version", std::string("gaia-hub ") + util::VERSION);
  app.add_option("--config", config_file, "JSON config file with the original hub's keys (port, serverName, "
                                           "readURL, driver, diskSettings.storageRootDirectory, bucket, "
                                           "awsCredentials, pageSize, maxFileUploadSize, whitelist, "
                                           "requireCorrectHubUrl, validHubUrls, cacheControl)");
  app.add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:<config port, 3000>); port 0 "
                                     "picks a free one");
  app.add_option("--storage-root", storage_root, "disk driver: directory holding the buckets");
  std::optional<uint16_t> https_port;
  app.add_option("--https-port", https_port,
                 "with enableHttps \"cert_files\": port HTTPS listens on (default "
                 "httpsPort, 443); 0 picks a free one");
  app.add_option("--read-url", read_url, "URL prefix clients read files from (default: this hub's /read/)");
  app.add_option("--driver", driver, "storage driver: disk (default), s3, google-cloud or memory");
  app.add_option("--server-name", server_name, "server name in the challenge text (default gaia-0)");
  app.add_flag("--no-fsync", no_fsync, "disk driver: do not fsync writes (faster; a power cut may lose "
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
  if (config_file.empty()) {
    const char* env = std::getenv("CONFIG_PATH");
    config_file = env && *env ? env : positional_config;
  }
  if (auto st = util::InitLogging(log_level); !st) {
    std::fprintf(stderr, "gaia-hub: %s\n", st.error().message.c_str());
    return 2;
  }
  if (!ca_file.empty()) net::SetDefaultCaFile(ca_file);
  HubConfig config;
  if (!config_file.empty()) {
    if (auto st = LoadHubConfigFile(config_file, config); !st) {
      std::fprintf(stderr, "gaia-hub: %s\n", st.error().message.c_str());
      return 2;
    }
  }
  if (auto st = ApplyHubConfigEnv(config); !st) {
    std::fprintf(stderr, "gaia-hub: %s\n", st.error().message.c_str());
    return 2;
  }
  if (!listen.empty()) {
    auto hp = util::ParseHostPort(listen, true);
    if (!hp) {
      std::fprintf(stderr, "gaia-hub: --listen: %s\n", hp.error().message.c_str());
      return 2;
    }
    config.host = hp->first;
    config.port = hp->second;
  }
  if (!storage_root.empty()) config.storage_root = storage_root;
  if (!read_url.empty()) config.read_url = read_url;
  if (!driver.empty()) config.driver = driver;
  if (!server_name.empty()) config.server_name = server_name;
  if (no_fsync) config.disk_fsync = false;
  if (https_port) config.https.port = *https_port;

  auto store = MakeDriver(config);
  if (!store) {
    std::fprintf(stderr, "gaia-hub: %s\n", store.error().message.c_str());
    return store.error().code == util::ErrorCode::InvalidArgument ? 2 : 3;
  }
  std::optional<net::TlsOptions> tls;
  if (config.https.enabled) {
    auto loaded = LoadHttpsCertificate(config.https);
    if (!loaded) {
      std::string where = config_file.empty() ? "" : config_file + ": ";
      std::fprintf(stderr, "gaia-hub: %s%s\n", where.c_str(), loaded.error().message.c_str());
      return 2;
    }
    tls = std::move(*loaded);
  }
  util::StopSignals stop_signals;
  Hub hub(config, std::move(*store));
  auto handler = [&hub](const net::Request& req) { return hub.Handle(req); };
  auto server = net::HttpServer::Start(config.host, config.port, handler, hub.ServerOptions());
  if (!server) {
    std::fprintf(stderr, "gaia-hub: %s\n", server.error().message.c_str());
    return 3;
  }
  // HTTPS beside HTTP, as the original's "cert_files": same routes, same hub.
  std::unique_ptr<net::HttpServer> https_server;
  if (tls) {
    auto options = hub.ServerOptions();
    options.tls = std::move(tls);
    auto started = net::HttpServer::Start(config.host, config.https.port, handler, options);
    if (!started) {
      std::fprintf(stderr, "gaia-hub: https: %s\n", started.error().message.c_str());
      return started.error().code == util::ErrorCode::InvalidArgument ? 2 : 3;
    }
    https_server = std::move(*started);
    hub.SetListenAddress(config.host, https_server->Port(), "https");
  } else {
    hub.SetListenAddress(config.host, (*server)->Port());
  }
  spdlog::info("gaia-hub: auth: {}", DescribeAuth(config));
  // Tests and scripts read these lines to learn the ports.
  std::cout << "gaia-hub listening on http://" << config.host << ":" << (*server)->Port()
            << " (read URL " << hub.ReadUrlPrefix() << ", driver " << config.driver << ")" << std::endl;
  if (https_server) {
    std::cout << "gaia-hub listening on https://" << config.host << ":" << https_server->Port() << std::endl;
  }

  spdlog::info("gaia-hub: stopping on signal {}", stop_signals.Wait());
  (*server)->Stop();
  if (https_server) https_server->Stop();
  return 0;
}

}  // namespace blockstack::gaia
