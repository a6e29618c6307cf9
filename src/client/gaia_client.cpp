#include <client/gaia_client.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include <crypto/aes.h>
#include <crypto/jwt.h>
#include <util/url.h>

namespace blockstack::client {

using nlohmann::json;
using nlohmann::ordered_json;
using util::ErrorCode;
using util::Fail;

namespace {

double Now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string Text(util::ByteView b) { return std::string(b.begin(), b.end()); }

}  // namespace

util::Error HubAnswerError(const net::HttpResponse& res, const std::string& what) {
  std::string message;
  auto body = json::parse(res.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) message = body["message"];
  else message = res.body.substr(0, 200);
  ErrorCode code = ErrorCode::IoError;
  switch (res.status) {
    case 401: code = ErrorCode::Unauthorized; break;
    case 403: code = ErrorCode::InvalidArgument; break;
    case 404: code = ErrorCode::NotFound; break;
    case 409:
    case 412: code = ErrorCode::Conflict; break;
    case 413: code = ErrorCode::TooLarge; break;
    default: break;
  }
  return {code, what + ": HTTP " + std::to_string(res.status) + (message.empty() ? "" : ": " + message)};
}

std::string MakeGaiaAuthToken(const crypto::PrivateKey& key, const std::string& challenge_text,
                              const std::string& hub_url, const std::string& association_token) {
  ordered_json payload;
  payload["gaiaChallenge"] = challenge_text;
  payload["hubUrl"] = hub_url;
  payload["iss"] = key.GetPublicKey().WithCompression(true).Hex();
  payload["salt"] = util::ToHex(crypto::RandomBytes(16));
  payload["iat"] = static_cast<int64_t>(Now());
  if (!association_token.empty()) payload["associationToken"] = association_token;
  return "v1:" + crypto::SignJwtEs256k(payload, key);
}

std::string MakeGaiaAssociationToken(const crypto::PrivateKey& identity_key, const std::string& child_public_key_hex,
                                     double lifetime_seconds) {
  ordered_json payload;
  payload["childToAssociate"] = child_public_key_hex;
  payload["iss"] = identity_key.GetPublicKey().WithCompression(true).Hex();
  payload["exp"] = Now() + lifetime_seconds;
  payload["iat"] = Now();
  payload["salt"] = util::ToHex(crypto::RandomBytes(16));
  return crypto::SignJwtEs256k(payload, identity_key);
}

GaiaClient::GaiaClient(GaiaHubConfig config, crypto::PrivateKey key, std::unique_ptr<net::HttpClient> hub)
    : m_config(std::move(config)), m_key(std::move(key)), m_hub(std::move(hub)) {
  m_hub_path = m_hub->Url().target;
  while (!m_hub_path.empty() && m_hub_path.back() == '/') m_hub_path.pop_back();
}

util::Result<std::unique_ptr<GaiaClient>> GaiaClient::Connect(const std::string& hub_url,
                                                              const crypto::PrivateKey& app_key,
                                                              const std::string& association_token) {
  std::string server = hub_url;
  while (!server.empty() && server.back() == '/') server.pop_back();
  net::HttpClientOptions options;
  options.peer_name = "Gaia hub";
  BS_TRY(auto hub, net::HttpClient::Create(server, options));
  std::string base = hub->Url().target;
  while (!base.empty() && base.back() == '/') base.pop_back();
  BS_TRY(auto res, hub->Send("GET", base + "/hub_info"));
  if (res.status != 200) return Fail(HubAnswerError(res, "hub_info"));
  auto info = json::parse(res.body, nullptr, false);
  if (!info.is_object() || !info.contains("read_url_prefix") || !info["read_url_prefix"].is_string() ||
      !info.contains("challenge_text") || !info["challenge_text"].is_string()) {
    return Fail(ErrorCode::Corruption, "hub at " + server + " answered /hub_info without a read URL or challenge");
  }
  GaiaHubConfig config;
  config.server = server;
  config.url_prefix = info["read_url_prefix"];
  config.address = GaiaAddress(app_key.GetPublicKey());
  config.token = MakeGaiaAuthToken(app_key, info["challenge_text"], server, association_token);
  if (info.contains("max_file_upload_size_megabytes") && info["max_file_upload_size_megabytes"].is_number()) {
    config.max_file_upload_size_mb = info["max_file_upload_size_megabytes"].get<double>();
  }
  return std::unique_ptr<GaiaClient>(new GaiaClient(std::move(config), app_key, std::move(hub)));
}

util::Result<net::HttpResponse> GaiaClient::HubRequest(const std::string& method, const std::string& route,
                                                       net::HeaderList headers, std::string_view body) {
  headers.emplace_back("Authorization", "bearer " + m_config.token);
  return m_hub->Send(method, m_hub_path + route, headers, body);
}

util::Result<PutResult> GaiaClient::Upload(const std::string& path, std::string_view body,
                                           const std::string& content_type, const PutOptions& options) {
  if (m_config.max_file_upload_size_mb > 0 &&
      static_cast<double>(body.size()) > m_config.max_file_upload_size_mb * 1024 * 1024) {
    return Fail(ErrorCode::TooLarge, path + " is larger than the hub's limit of " +
                                         std::to_string(m_config.max_file_upload_size_mb) + " MB");
  }
  net::HeaderList headers{{"Content-Type", content_type}};
  if (options.if_match) headers.emplace_back("If-Match", *options.if_match);
  if (options.create_only) headers.emplace_back("If-None-Match", "*");
  BS_TRY(auto res, HubRequest("POST", "/store/" + m_config.address + "/" + util::PercentEncode(path, true), headers, body));
  if (res.status != 202 && res.status != 200) return Fail(HubAnswerError(res, "store " + path));
  auto answer = json::parse(res.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("publicURL")) {
    return Fail(ErrorCode::Corruption, "hub answered a store without publicURL");
  }
  PutResult out;
  out.public_url = answer["publicURL"].is_string() ? answer["publicURL"].get<std::string>() : "";
  out.etag = answer.contains("etag") && answer["etag"].is_string() ? answer["etag"].get<std::string>() : "";
  return out;
}

util::Result<PutResult> GaiaClient::PutFile(const std::string& path, util::ByteView content, const PutOptions& options) {
  std::string plain_type = options.content_type.empty()
                               ? (options.is_string ? "text/plain; charset=utf-8" : "application/octet-stream")
                               : options.content_type;
  if (options.encrypt) {
    EciesOptions ecies;
    ecies.encoding = options.encoding;
    ecies.was_string = options.is_string;
    auto recipient = options.encrypt_to ? *options.encrypt_to : m_key.GetPublicKey();
    std::string cipher = EncryptEcies(recipient, content, ecies).dump();
    if (!options.sign) return Upload(path, cipher, "application/json", options);
    ordered_json signed_cipher = SignContent(m_key, util::AsBytes(cipher));
    signed_cipher["cipherText"] = cipher;
    return Upload(path, signed_cipher.dump(), "application/json", options);
  }
  if (options.sign) {
    BS_TRY(PutResult result, Upload(path, Text(content), plain_type, options));
    PutOptions sig_options;
    BS_CHECK_OK(Upload(path + ".sig", SignContent(m_key, content).dump(), "application/json", sig_options));
    return result;
  }
  return Upload(path, Text(content), plain_type, options);
}

util::Result<GetResult> ReadFile(UrlFetcher& fetcher, const std::string& url_prefix, const std::string& address,
                                const std::string& path, const ReadOptions& options) {
  std::string url = url_prefix + address + "/" + util::PercentEncode(path, true);
  BS_TRY(auto res, fetcher.Get(url));
  if (res.status != 200) return Fail(HubAnswerError(res, "read " + path));
  GetResult out;
  out.content_type = res.Header("content-type");
  out.etag = res.Header("etag");
  out.is_string = out.content_type.starts_with("text") || out.content_type.starts_with("application/json");

  auto check_signer = [&](const std::string& public_key_hex) -> util::Status {
    auto key = crypto::PublicKey::FromHex(public_key_hex);
    if (!key) return Fail(ErrorCode::Unauthorized, "signature of " + path + " carries an invalid public key");
    std::string signer = GaiaAddress(*key);
    if (signer != address) {
      return Fail(ErrorCode::Unauthorized,
                  "signer " + signer + " of " + path + " is not the owner of bucket " + address);
    }
    return util::Ok();
  };

  std::string body = std::move(res.body);
  if (options.verify && !options.decrypt_key) {
    BS_TRY(auto sig_res, fetcher.Get(url + ".sig"));
    if (sig_res.status != 200) return Fail(HubAnswerError(sig_res, "read " + path + ".sig"));
    auto sig = json::parse(sig_res.body, nullptr, false);
    if (!sig.is_object() || !sig.contains("signature") || !sig["signature"].is_string() ||
        !sig.contains("publicKey") || !sig["publicKey"].is_string()) {
      return Fail(ErrorCode::Unauthorized, path + ".sig is not a signature object");
    }
    BS_CHECK_OK(check_signer(sig["publicKey"]));
    if (!VerifyContent(util::AsBytes(body), sig["publicKey"].get<std::string>(), sig["signature"].get<std::string>())) {
      return Fail(ErrorCode::Unauthorized, "signature of " + path + " does not verify");
    }
    out.data.assign(body.begin(), body.end());
    return out;
  }
  if (!options.decrypt_key) {
    out.data.assign(body.begin(), body.end());
    return out;
  }
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Fail(ErrorCode::Corruption, "cannot decrypt " + path + ": it is not encrypted content");
  if (options.verify) {
    if (!doc.is_object() || !doc.contains("signature") || !doc.contains("publicKey") || !doc.contains("cipherText") ||
        !doc["signature"].is_string() || !doc["publicKey"].is_string() || !doc["cipherText"].is_string()) {
      return Fail(ErrorCode::Unauthorized, path + " is not signed and encrypted content");
    }
    BS_CHECK_OK(check_signer(doc["publicKey"]));
    std::string cipher_text = doc["cipherText"];
    if (!VerifyContent(util::AsBytes(cipher_text), doc["publicKey"].get<std::string>(),
                       doc["signature"].get<std::string>())) {
      return Fail(ErrorCode::Unauthorized, "signature of " + path + " does not verify");
    }
    doc = json::parse(cipher_text, nullptr, false);
    if (doc.is_discarded()) return Fail(ErrorCode::InvalidArgument, path + " carries a malformed cipher object");
  }
  auto plain = DecryptEcies(*options.decrypt_key, doc);
  if (!plain) return Fail(ErrorCode::Corruption, "cannot decrypt " + path + ": " + plain.error().message);
  out.data = std::move(plain->data);
  out.is_string = plain->was_string;
  return out;
}

util::Result<GetResult> GaiaClient::GetFile(const std::string& path, const GetOptions& options) {
  ReadOptions read;
  read.verify = options.verify;
  if (options.decrypt) read.decrypt_key = m_key;
  return ReadFile(m_readers, options.url_prefix.value_or(m_config.url_prefix), options.address.value_or(m_config.address),
                  path, read);
}

util::Result<std::size_t> GaiaClient::ListFiles(const std::function<void(const std::string&)>& each) {
  json page = nullptr;
  std::size_t count = 0;
  for (int calls = 0; calls < 65536; ++calls) {
    std::string body = json{{"page", page}}.dump();
    BS_TRY(auto res, HubRequest("POST", "/list-files/" + m_config.address, {{"Content-Type", "application/json"}}, body));
    if (res.status != 202 && res.status != 200) return Fail(HubAnswerError(res, "list-files"));
    auto answer = json::parse(res.body, nullptr, false);
    if (!answer.is_object() || !answer.contains("entries") || !answer["entries"].is_array()) {
      return Fail(ErrorCode::Corruption, "hub answered list-files without entries");
    }
    for (const auto& e : answer["entries"]) {
      if (!e.is_string()) continue;
      each(e.get<std::string>());
      ++count;
    }
    const json& next = answer.contains("page") ? answer["page"] : json();
    if (!next.is_string() || next.get<std::string>().empty() || answer["entries"].empty()) return count;
    page = next;
  }
  return count;
}

util::Status GaiaClient::DeleteFile(const std::string& path, bool was_signed) {
  BS_TRY(auto res, HubRequest("DELETE", "/delete/" + m_config.address + "/" + util::PercentEncode(path, true), {}, ""));
  if (res.status != 202 && res.status != 200) return Fail(HubAnswerError(res, "delete " + path));
  if (was_signed) return DeleteFile(path + ".sig", false);
  return util::Ok();
}

util::Status GaiaClient::RevokeAll(int64_t oldest_valid) {
  std::string body = json{{"oldestValidTimestamp", oldest_valid}}.dump();
  BS_TRY(auto res, HubRequest("POST", "/revoke-all/" + m_config.address, {{"Content-Type", "application/json"}}, body));
  if (res.status != 202 && res.status != 200) return Fail(HubAnswerError(res, "revoke-all"));
  return util::Ok();
}

}  // namespace blockstack::client
