#include <gaia/config.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <util/base64.h>
#include <util/text.h>

namespace blockstack::gaia {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

uint64_t HubConfig::MaxUploadBytes() const {
  return static_cast<uint64_t>(max_file_upload_size_mb * 1024 * 1024);
}

namespace {

template <typename T>
util::Status Read(const json& obj, const char* key, T& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return util::Ok();
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' has the wrong type");
  }
  return util::Ok();
}

std::string Trim(std::string_view text) { return std::string(util::TrimBlanks(text)); }

// A list as the original reads one from the environment: split at commas, each
// entry trimmed (empty entries dropped).
std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> out;
  for (auto item : util::SplitList(text, ',')) {
    if (auto trimmed = util::TrimBlanks(item); !trimmed.empty()) out.emplace_back(trimmed);
  }
  return out;
}

// A flag in the JSON file: true/false, or a number as the original's JavaScript
// took it (non-zero is on).
util::Status ReadFlag(const json& obj, const char* key, bool& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return util::Ok();
  if (it->is_boolean()) {
    out = it->get<bool>();
  } else if (it->is_number()) {
    out = it->get<double>() != 0;
  } else {
    return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' must be true/false or a number");
  }
  return util::Ok();
}

// The keys of the original hub's config schema (hub/config-schema.json) and this
// hub's own (serverLimits; servername, which the original renamed), and of the
// sections read here. Keys for drivers and TLS this hub does not have are known,
// so an original config file loads; enableHttps is refused below.
const std::vector<std::string_view> TOP_KEYS = {
    "acmeConfig",    "argsTransport", "authTimestampCacheSize", "awsCredentials",    "azCredentials", "bucket",
    "bucketQuota",   "bucketQuotas",  "cacheControl",           "diskSettings",      "driver",        "enableHttps",
    "gcCredentials", "httpsPort",     "ipfsSettings",           "maxFileUploadSize", "pageSize",      "port",
    "proofsConfig",  "readURL",       "requireCorrectHubUrl",   "serverName",        "tlsCertConfig", "validHubUrls",
    "whitelist",     "servername",    "serverLimits",           "adminApi",          "sharedStorage"};
const std::pair<const char*, std::vector<std::string_view>> SECTION_KEYS[] = {
    {"diskSettings", {"storageRootDirectory", "fsync"}},
    {"awsCredentials", {"endpoint", "region", "accessKeyId", "secretAccessKey", "sessionToken", "s3ForcePathStyle"}},
    {"serverLimits",
     {"maxConnections", "maxConnectionsPerAddress", "headerTimeoutMs", "bodyTimeoutMs", "minBodyBytesPerSecond",
      "maxBodyBytesInFlight"}},
    {"proofsConfig", {"proofsRequired"}},
    {"bucketQuota", {"maxBytes", "maxFiles"}},
    {"adminApi", {"port", "apiKeys"}},
    {"azCredentials", {"accountName", "accountKey", "endpoint"}},
    {"tlsCertConfig", {"keyFile", "certFile", "keyPassphrase", "pfxFile", "pfxPassphrase"}},
    {"gcCredentials",
     {"accessKeyId", "secretAccessKey", "endpoint", "email", "projectId", "keyFilename", "credentials"}},
};

// Every key of obj is one of known: else an error naming it (prefix: where it
// sits), with the nearest known key as a hint.
util::Status CheckKeys(const json& obj, const std::vector<std::string_view>& known, const std::string& prefix) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    auto hint = util::NearestWord(key, known);
    return Fail(ErrorCode::InvalidArgument, "unknown config key '" + prefix + key + "'" +
                                                (hint ? "; did you mean '" + prefix + *hint + "'?" : std::string()));
  }
  return util::Ok();
}

// {maxBytes, maxFiles} under obj[key]: whole numbers, 0 for no limit.
util::Status ReadQuota(const json& obj, const char* key, const std::string& where, BucketQuota& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return util::Ok();
  for (auto [name, field] : {std::pair{"maxBytes", &out.max_bytes}, std::pair{"maxFiles", &out.max_files}}) {
    auto v = it->find(name);
    if (v == it->end() || v->is_null()) continue;
    if (!v->is_number_unsigned()) {
      return Fail(ErrorCode::InvalidArgument,
                  "config key '" + where + "." + name + "' must be a whole number (0: no limit)");
    }
    *field = v->get<uint64_t>();
  }
  return util::Ok();
}

// String keys of a section (an object checked by CheckKeys), where present.
util::Status ReadStrings(const json& doc, const char* section,
                         std::initializer_list<std::pair<const char*, std::string*>> fields) {
  auto it = doc.find(section);
  if (it == doc.end() || !it->is_object()) return util::Ok();
  for (auto [key, out] : fields) {
    if (auto st = Read(*it, key, *out); !st) {
      return Fail(ErrorCode::InvalidArgument, std::string("config key '") + section + "." + key + "' must be a string");
    }
  }
  return util::Ok();
}

// enableHttps as the original took it: "cert_files" serves HTTPS with the
// certificate in tlsCertConfig; "acme" (Let's Encrypt) is not carried.
util::Status SetEnableHttps(std::string_view value, const std::string& where, HttpsSettings& https) {
  if (value == "cert_files") {
    https.enabled = true;
  } else if (value == "acme") {
    return Fail(ErrorCode::InvalidArgument,
                where +
                    " \"acme\": certificates from Let's Encrypt are not fetched by this hub; get them with an "
                    "ACME client (certbot) and give the files as tlsCertConfig.certFile and keyFile with "
                    "enableHttps \"cert_files\"");
  } else {
    return Fail(ErrorCode::InvalidArgument, where + " must be \"cert_files\", not '" + std::string(value) + "'");
  }
  return util::Ok();
}

util::Result<json> ParseConfigJson(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    const std::size_t at = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    return Fail(ErrorCode::InvalidArgument,
                "does not parse as JSON (line " + std::to_string(line) + "): " +
                    (at >= text.size() ? std::string("the text ends before the JSON does") : std::string(e.what())));
  }
}

}  // namespace

const BucketQuota& HubConfig::QuotaOf(const std::string& address) const {
  auto it = bucket_quotas.find(address);
  return it == bucket_quotas.end() ? bucket_quota : it->second;
}

util::Status ApplyHubConfigJson(std::string_view text, HubConfig& config) {
  BS_TRY(json doc, ParseConfigJson(text));
  if (!doc.is_object()) return Fail(ErrorCode::InvalidArgument, "config is not a JSON object");
  BS_CHECK_OK(CheckKeys(doc, TOP_KEYS, ""));
  for (const auto& [section, keys] : SECTION_KEYS) {
    if (!doc.contains(section) || doc[section].is_null()) continue;
    if (!doc[section].is_object()) {
      return Fail(ErrorCode::InvalidArgument, std::string("config key '") + section + "' must be an object");
    }
    BS_CHECK_OK(CheckKeys(doc[section], keys, std::string(section) + "."));
  }
  // false (as some configs have it) is off, as in the original.
  if (doc.contains("enableHttps") && !doc["enableHttps"].is_null() && doc["enableHttps"] != false) {
    if (!doc["enableHttps"].is_string()) {
      return Fail(ErrorCode::InvalidArgument, "config key 'enableHttps' must be \"cert_files\" (or left out)");
    }
    BS_CHECK_OK(SetEnableHttps(doc["enableHttps"].get<std::string>(), "config key 'enableHttps'", config.https));
  }
  for (auto [key, field] : {std::pair{"port", &config.port}, std::pair{"httpsPort", &config.https.port}}) {
    int port = *field;
    BS_CHECK_OK(Read(doc, key, port));
    if (port < 0 || port > 65535) {
      return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' out of range");
    }
    *field = static_cast<uint16_t>(port);
  }
  if (doc.contains("adminApi") && doc["adminApi"].is_object()) {
    const json& admin = doc["adminApi"];
    int port = 0;
    BS_CHECK_OK(Read(admin, "port", port));
    if (port < 0 || port > 65535) return Fail(ErrorCode::InvalidArgument, "config key 'adminApi.port' out of range");
    config.admin.enabled = true;
    config.admin.port = static_cast<uint16_t>(port);
    BS_CHECK_OK(Read(admin, "apiKeys", config.admin.api_keys));
  }
  auto& https = config.https;
  BS_CHECK_OK(ReadStrings(doc, "tlsCertConfig",
                          {{"keyFile", &https.key_file},
                           {"certFile", &https.cert_file},
                           {"keyPassphrase", &https.key_passphrase},
                           {"pfxFile", &https.pfx_file},
                           {"pfxPassphrase", &https.pfx_passphrase}}));
  // The original renamed a lowercase "servername" to "serverName".
  if (!doc.contains("serverName")) BS_CHECK_OK(Read(doc, "servername", config.server_name));
  BS_CHECK_OK(Read(doc, "serverName", config.server_name));
  BS_CHECK_OK(Read(doc, "readURL", config.read_url));
  BS_CHECK_OK(Read(doc, "driver", config.driver));
  BS_CHECK_OK(Read(doc, "bucket", config.bucket));
  BS_CHECK_OK(Read(doc, "pageSize", config.page_size));
  if (config.page_size < 1 || config.page_size > 4096) {
    return Fail(ErrorCode::InvalidArgument, "config key 'pageSize' must be between 1 and 4096");
  }
  BS_CHECK_OK(Read(doc, "maxFileUploadSize", config.max_file_upload_size_mb));
  if (!(config.max_file_upload_size_mb > 0)) {
    return Fail(ErrorCode::InvalidArgument, "config key 'maxFileUploadSize' must be positive");
  }
  BS_CHECK_OK(ReadFlag(doc, "requireCorrectHubUrl", config.require_correct_hub_url));
  BS_CHECK_OK(ReadFlag(doc, "sharedStorage", config.shared_storage));
  BS_CHECK_OK(Read(doc, "validHubUrls", config.valid_hub_urls));
  for (auto& url : config.valid_hub_urls) url = Trim(url);
  if (doc.contains("whitelist") && !doc["whitelist"].is_null()) {
    std::vector<std::string> list;
    BS_CHECK_OK(Read(doc, "whitelist", list));
    for (auto& address : list) address = Trim(address);
    config.whitelist = std::move(list);
  }
  BS_CHECK_OK(ReadQuota(doc, "bucketQuota", "bucketQuota", config.bucket_quota));
  if (doc.contains("bucketQuotas") && !doc["bucketQuotas"].is_null()) {
    if (!doc["bucketQuotas"].is_object()) {
      return Fail(ErrorCode::InvalidArgument, "config key 'bucketQuotas' must be an object of bucket addresses");
    }
    for (const auto& [address, quota] : doc["bucketQuotas"].items()) {
      const std::string where = "bucketQuotas." + address;
      if (address.empty() || address.size() > 64)
        return Fail(ErrorCode::InvalidArgument, "config key '" + where + "' is not a bucket address");
      if (!quota.is_object()) return Fail(ErrorCode::InvalidArgument, "config key '" + where + "' must be an object");
      BS_CHECK_OK(CheckKeys(quota, {"maxBytes", "maxFiles"}, where + "."));
      BS_CHECK_OK(ReadQuota(doc["bucketQuotas"], address.c_str(), where, config.bucket_quotas[address]));
    }
  }
  BS_CHECK_OK(Read(doc, "cacheControl", config.cache_control));
  BS_CHECK_OK(Read(doc, "authTimestampCacheSize", config.auth_timestamp_cache_size));
  if (doc.contains("diskSettings") && doc["diskSettings"].is_object()) {
    BS_CHECK_OK(Read(doc["diskSettings"], "storageRootDirectory", config.storage_root));
    BS_CHECK_OK(Read(doc["diskSettings"], "fsync", config.disk_fsync));
  }
  BS_CHECK_OK(ReadStrings(doc, "azCredentials",
                          {{"accountName", &config.azure.account_name},
                           {"accountKey", &config.azure.account_key},
                           {"endpoint", &config.azure.endpoint}}));
  BS_CHECK_OK(ReadStrings(doc, "awsCredentials",
                          {{"endpoint", &config.s3.endpoint},
                           {"region", &config.s3.region},
                           {"accessKeyId", &config.s3.access_key_id},
                           {"secretAccessKey", &config.s3.secret_access_key},
                           {"sessionToken", &config.s3.session_token}}));
  if (doc.contains("awsCredentials") && doc["awsCredentials"].is_object()) {
    BS_CHECK_OK(Read(doc["awsCredentials"], "s3ForcePathStyle", config.s3.path_style));
  }
  if (doc.contains("gcCredentials") && doc["gcCredentials"].is_object()) {
    const json& gc = doc["gcCredentials"];
    BS_CHECK_OK(Read(gc, "endpoint", config.gcs.endpoint));
    BS_CHECK_OK(Read(gc, "accessKeyId", config.gcs.access_key_id));
    BS_CHECK_OK(Read(gc, "secretAccessKey", config.gcs.secret_access_key));
    config.gcs_service_account_only =
        config.gcs.access_key_id.empty() && (gc.contains("keyFilename") || gc.contains("credentials"));
  }
  if (doc.contains("serverLimits") && doc["serverLimits"].is_object()) {
    const json& l = doc["serverLimits"];
    auto& limits = config.limits;
    BS_CHECK_OK(Read(l, "maxConnections", limits.max_connections));
    BS_CHECK_OK(Read(l, "maxConnectionsPerAddress", limits.max_connections_per_address));
    BS_CHECK_OK(Read(l, "headerTimeoutMs", limits.header_timeout_ms));
    BS_CHECK_OK(Read(l, "bodyTimeoutMs", limits.body_timeout_ms));
    BS_CHECK_OK(Read(l, "minBodyBytesPerSecond", limits.min_body_rate));
    BS_CHECK_OK(Read(l, "maxBodyBytesInFlight", limits.max_body_bytes_in_flight));
    if (limits.max_connections == 0 || limits.max_connections_per_address == 0 || limits.header_timeout_ms == 0 ||
        limits.body_timeout_ms == 0) {
      return Fail(ErrorCode::InvalidArgument, "config keys in 'serverLimits' must be positive");
    }
  }
  if (config.limits.max_body_bytes_in_flight < config.MaxUploadBytes()) {
    return Fail(ErrorCode::InvalidArgument,
                "config key 'serverLimits.maxBodyBytesInFlight' is below maxFileUploadSize: no upload could pass");
  }
  if (doc.contains("proofsConfig") && doc["proofsConfig"].is_object()) {
    int required = 0;
    BS_CHECK_OK(Read(doc["proofsConfig"], "proofsRequired", required));
    if (required > 0) {
      return Fail(ErrorCode::InvalidArgument, "proofsConfig.proofsRequired > 0: social proofs are not supported");
    }
  }
  return util::Ok();
}

util::Status LoadHubConfigFile(const std::string& path, HubConfig& config) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::NotFound, "cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto status = ApplyHubConfigJson(ss.str(), config);
  if (!status) return Fail(status.error().Wrap(path));
  return util::Ok();
}

namespace {

// An integer variable (the original parsed these with parseInt and refused
// what did not parse; a trailing remainder is refused here too).
util::Result<int64_t> ParseIntVar(const char* name, std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto value = util::ParseDecimal(digits, UINT64_MAX, 18);
  if (!value) {
    return Fail(ErrorCode::InvalidArgument, std::string(name) + " must be an integer, not '" + std::string(text) + "'");
  }
  return negative ? -static_cast<int64_t>(*value) : static_cast<int64_t>(*value);
}

// A flag as the original reads it: an integer (non-zero is on) or true/false.
util::Result<bool> ParseFlag(const char* name, std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  auto value = ParseIntVar(name, text);
  if (!value) {
    return Fail(ErrorCode::InvalidArgument,
                std::string(name) + " must be an integer (0 is off) or true/false, not '" + std::string(text) + "'");
  }
  return *value != 0;
}

// An integer variable within [low, high].
template <typename T>
util::Status ReadIntVar(const char* name, const char* text, int64_t low, int64_t high, T& out) {
  BS_TRY(int64_t value, ParseIntVar(name, text));
  if (value < low || value > high) {
    return Fail(ErrorCode::InvalidArgument, std::string(name) + " must be between " + std::to_string(low) + " and " +
                                                std::to_string(high) + ", not " + std::to_string(value));
  }
  out = static_cast<T>(value);
  return util::Ok();
}

}  // namespace

namespace {

util::Result<std::string> ReadWholeFile(const std::string& path, const char* key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::InvalidArgument, std::string("tlsCertConfig.") + key + ": cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A PEM setting: the text itself when it starts as PEM does, else a file's path.
util::Result<std::string> ReadPem(const std::string& value, const char* key) {
  if (util::TrimBlanks(value).starts_with("-----BEGIN ")) return value;
  return ReadWholeFile(value, key);
}

}  // namespace

util::Status CheckAdminSettings(const AdminSettings& admin) {
  if (!admin.enabled) return util::Ok();
  if (admin.api_keys.empty()) {
    return Fail(ErrorCode::InvalidArgument,
                "the admin API needs adminApi.apiKeys (or GAIA_ADMIN_API_KEYS): without a key anyone could "
                "reconfigure the hub");
  }
  for (const auto& key : admin.api_keys) {
    if (key.size() < 16 || key.find_first_of(" \t\r\n") != std::string::npos) {
      return Fail(ErrorCode::InvalidArgument,
                  "adminApi.apiKeys: each key must be at least 16 characters with no spaces (openssl rand -hex 16 "
                  "makes one)");
    }
  }
  return util::Ok();
}

util::Result<net::TlsOptions> LoadHttpsCertificate(const HttpsSettings& https) {
  net::TlsOptions tls;
  if (!https.pfx_file.empty()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(https.pfx_file, ec)) {
      BS_TRY(tls.pkcs12, ReadWholeFile(https.pfx_file, "pfxFile"));
    } else {
      auto bytes = util::DecodeBase64(https.pfx_file);
      if (!bytes || bytes->empty()) {
        return Fail(ErrorCode::InvalidArgument,
                    "tlsCertConfig.pfxFile is neither a readable file nor base64 PKCS#12 data");
      }
      tls.pkcs12.assign(bytes->begin(), bytes->end());
    }
    tls.passphrase = https.pfx_passphrase;
    return tls;
  }
  if (https.cert_file.empty() || https.key_file.empty()) {
    return Fail(ErrorCode::InvalidArgument,
                "enableHttps \"cert_files\" needs tlsCertConfig.certFile and keyFile (PEM), or pfxFile");
  }
  BS_TRY(tls.cert_chain_pem, ReadPem(https.cert_file, "certFile"));
  BS_TRY(tls.key_pem, ReadPem(https.key_file, "keyFile"));
  tls.passphrase = https.key_passphrase;
  return tls;
}

std::string DescribeAuth(const HubConfig& config) {
  std::string hubs;
  for (const auto& url : config.valid_hub_urls) hubs += (hubs.empty() ? "" : ", ") + url;
  return "requireCorrectHubUrl " + std::string(config.require_correct_hub_url ? "on" : "off") + ", serverName " +
         config.server_name + ", validHubUrls [" + hubs + "], whitelist " +
         (config.whitelist ? std::to_string(config.whitelist->size()) + " address(es)" : std::string("off"));
}

util::Status ApplyHubConfigEnv(HubConfig& config) {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  if (auto v = env("GAIA_SERVER_NAME")) config.server_name = v;
  if (auto v = env("GAIA_READ_URL")) config.read_url = v;
  if (auto v = env("GAIA_DRIVER")) config.driver = v;
  if (auto v = env("GAIA_BUCKET_NAME")) config.bucket = v;
  if (auto v = env("GAIA_DISK_STORAGE_ROOT_DIR")) config.storage_root = v;
  if (auto v = env("GAIA_WHITELIST")) config.whitelist = SplitComma(v);
  if (auto v = env("GAIA_VALID_HUB_URLS")) config.valid_hub_urls = SplitComma(v);
  if (auto v = env("GAIA_REQUIRE_CORRECT_HUB_URL")) {
    BS_TRY(config.require_correct_hub_url, ParseFlag("GAIA_REQUIRE_CORRECT_HUB_URL", v));
  }
  if (auto v = env("GAIA_SHARED_STORAGE")) {
    BS_TRY(config.shared_storage, ParseFlag("GAIA_SHARED_STORAGE", v));
  }
  if (auto v = env("GAIA_PORT")) BS_CHECK_OK(ReadIntVar("GAIA_PORT", v, 0, 65535, config.port));
  if (auto v = env("GAIA_HTTPS_PORT")) BS_CHECK_OK(ReadIntVar("GAIA_HTTPS_PORT", v, 0, 65535, config.https.port));
  if (auto v = env("GAIA_ENABLE_HTTPS")) BS_CHECK_OK(SetEnableHttps(v, "GAIA_ENABLE_HTTPS", config.https));
  if (auto v = env("GAIA_ADMIN_PORT")) {
    BS_CHECK_OK(ReadIntVar("GAIA_ADMIN_PORT", v, 0, 65535, config.admin.port));
    config.admin.enabled = true;
  }
  if (auto v = env("GAIA_ADMIN_API_KEYS")) config.admin.api_keys = SplitComma(v);
  if (auto v = env("GAIA_PAGE_SIZE")) BS_CHECK_OK(ReadIntVar("GAIA_PAGE_SIZE", v, 1, 4096, config.page_size));
  if (auto v = env("GAIA_CACHE_CONTROL")) config.cache_control = v;
  // Text settings taken as they are: the original's TLS, S3 and azure driver
  // variables, and ours for the azure endpoint.
  const std::pair<const char*, std::string*> texts[] = {
      {"GAIA_TLS_CERT_CONFIG_KEY_FILE", &config.https.key_file},
      {"GAIA_TLS_CERT_CONFIG_CERT_FILE", &config.https.cert_file},
      {"GAIA_TLS_CERT_CONFIG_KEY_PASSPHRASE", &config.https.key_passphrase},
      {"GAIA_TLS_CERT_CONFIG_PFX_FILE", &config.https.pfx_file},
      {"GAIA_TLS_CERT_CONFIG_PFX_PASSPHRASE", &config.https.pfx_passphrase},
      {"GAIA_S3_ACCESS_KEY_ID", &config.s3.access_key_id},
      {"GAIA_S3_SECRET_ACCESS_KEY", &config.s3.secret_access_key},
      {"GAIA_S3_SESSION_TOKEN", &config.s3.session_token},
      {"GAIA_AZURE_ACCOUNT_NAME", &config.azure.account_name},
      {"GAIA_AZURE_ACCOUNT_KEY", &config.azure.account_key},
      {"GAIA_AZURE_ENDPOINT", &config.azure.endpoint},
  };
  for (auto [name, field] : texts) {
    if (auto v = env(name)) *field = v;
  }
  // Ours: the google-cloud driver's HMAC keys.
  if (auto v = env("GAIA_GCS_ACCESS_KEY_ID")) {
    config.gcs.access_key_id = v;
    config.gcs_service_account_only = false;
  }
  if (auto v = env("GAIA_GCS_SECRET_ACCESS_KEY")) config.gcs.secret_access_key = v;
  return util::Ok();
}

}  // namespace blockstack::gaia
