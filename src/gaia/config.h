// The hub's configuration: the original hub's JSON keys (spec gaia.md §3.3), so an
// existing config file can be reused unchanged, plus the S3 driver's settings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <net/http_server.h>
#include <util/result.h>

namespace blockstack::gaia {

struct S3Settings {
  std::string endpoint;            // "http://127.0.0.1:4568"; "" = https://s3.amazonaws.com
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  bool path_style = false;         // s3ForcePathStyle: http://endpoint/bucket/key
};

// The azure driver (the original's azCredentials, plus endpoint: ours, for the
// Azurite emulator and other clouds; default https://{accountName}.blob.core.windows.net).
struct AzureSettings {
  std::string account_name;
  std::string account_key;  // base64, as the portal shows it
  std::string endpoint;
};

// What one client may take of the hub (config "serverLimits", ours; doc/limits.md).
struct ServerLimits {
  std::size_t max_connections = 1024;                        // maxConnections
  std::size_t max_connections_per_address = 256;             // maxConnectionsPerAddress
  uint64_t header_timeout_ms = 5000;                         // headerTimeoutMs: to send a request head
  uint64_t body_timeout_ms = 60000;                          // bodyTimeoutMs: to send a body, plus:
  std::size_t min_body_rate = 32 * 1024;                     // minBodyBytesPerSecond: size / this added to it
  uint64_t max_body_bytes_in_flight = 256ull * 1024 * 1024;  // maxBodyBytesInFlight, over all uploads
};

// What one bucket may hold (ours; 0 = no limit).
struct BucketQuota {
  uint64_t max_bytes = 0;  // maxBytes: the sum of its files' sizes
  uint64_t max_files = 0;  // maxFiles
  bool Limited() const { return max_bytes > 0 || max_files > 0; }
};

// HTTPS beside HTTP (the original's enableHttps "cert_files", httpsPort and
// tlsCertConfig). keyFile/certFile are paths or the PEM text itself; pfxFile a
// path or the PKCS#12 bytes in base64.
struct HttpsSettings {
  bool enabled = false;
  uint16_t port = 443;  // 0 picks a free one
  std::string key_file;
  std::string cert_file;
  std::string key_passphrase;
  std::string pfx_file;
  std::string pfx_passphrase;
};

// The admin API (ours: config "adminApi"; doc/gaia.md): off unless a port is given.
struct AdminSettings {
  bool enabled = false;
  uint16_t port = 0;  // 0 picks a free one
  std::vector<std::string> api_keys;
};

struct HubConfig {
  std::string host = "127.0.0.1";  // --listen; the original binds every interface on `port`
  uint16_t port = 3000;
  std::string server_name = "gaia-0";
  std::string read_url;            // "" = the hub serves reads itself at http://{listen}/read/
  std::string driver = "disk";     // disk | s3 | azure | google-cloud | memory
  std::string storage_root = "./gaia-storage";
  bool disk_fsync = true;          // diskSettings.fsync (ours): fsync each write before it is visible
  std::string bucket = "hub";
  std::size_t page_size = 100;
  double max_file_upload_size_mb = 20;
  bool require_correct_hub_url = false;
  std::vector<std::string> valid_hub_urls;
  std::optional<std::vector<std::string>> whitelist;
  std::string cache_control = "public, max-age=1";  // the original's default
  std::size_t auth_timestamp_cache_size = 50000;
  S3Settings s3;
  AzureSettings azure;
  // google-cloud: Google Cloud Storage through its S3-interoperable XML API with
  // HMAC keys (gcCredentials.accessKeyId/secretAccessKey, ours; endpoint
  // https://storage.googleapis.com, region "auto", path-style).
  S3Settings gcs{.endpoint = "https://storage.googleapis.com",
                 .region = "auto",
                 .access_key_id = "",
                 .secret_access_key = "",
                 .session_token = "",
                 .path_style = true};
  // gcCredentials held the original's service-account keys and no HMAC keys.
  bool gcs_service_account_only = false;
  // sharedStorage (ours): other hub processes use the same storage. Revocation
  // timestamps are then read from it on every check, and quota usage recounted
  // every few seconds (doc/gaia.md).
  bool shared_storage = false;
  HttpsSettings https;
  AdminSettings admin;
  ServerLimits limits;
  BucketQuota bucket_quota;                          // bucketQuota: every bucket's, unless listed below
  std::map<std::string, BucketQuota> bucket_quotas;  // bucketQuotas: by bucket address

  const BucketQuota& QuotaOf(const std::string& address) const;

  uint64_t MaxUploadBytes() const;
};

// Applies the keys of a JSON config file over the defaults. Unknown keys are
// ignored (the original has many for drivers we do not carry); a key with the
// wrong type fails with InvalidArgument naming it. proofsConfig.proofsRequired > 0
// is refused: social proofs are not supported.
util::Status ApplyHubConfigJson(std::string_view text, HubConfig& config);
util::Status LoadHubConfigFile(const std::string& path, HubConfig& config);
// Applies GAIA_* environment variables, as the original does: GAIA_SERVER_NAME,
// _READ_URL, _DRIVER, _BUCKET_NAME, _DISK_STORAGE_ROOT_DIR, _WHITELIST and
// _VALID_HUB_URLS (comma-separated, trimmed), _PORT and _PAGE_SIZE (integers),
// _CACHE_CONTROL, _S3_ACCESS_KEY_ID, _S3_SECRET_ACCESS_KEY, _S3_SESSION_TOKEN.
// A flag (GAIA_REQUIRE_CORRECT_HUB_URL) is an integer (non-zero: on) or
// true/false. A value that is not of its form fails with InvalidArgument naming
// the variable, so a typo never leaves a check silently off.
util::Status ApplyHubConfigEnv(HubConfig& config);
// An enabled admin API has keys, each long enough to resist guessing.
util::Status CheckAdminSettings(const AdminSettings& admin);
// The certificate HTTPS is served with: tlsCertConfig's PEM files (or PEM text)
// or its PKCS#12 file (or base64). InvalidArgument naming the key whose file
// cannot be read; a certificate that does not suit is found by HttpServer::Start.
util::Result<net::TlsOptions> LoadHttpsCertificate(const HttpsSettings& https);
// The auth settings in effect, one line for the start-up log.
std::string DescribeAuth(const HubConfig& config);

}  // namespace blockstack::gaia
