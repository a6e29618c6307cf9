// A Gaia client (spec gaia.md §4.3): connect to a hub with an app key, then put,
// get, list and delete files, plain, encrypted (ECIES to the app key), signed, or
// encrypted and signed, in the formats @stacks/storage reads and writes.
//
// Thread safety: one GaiaClient is used by one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <client/ecies.h>
#include <client/url_fetcher.h>
#include <crypto/keys.h>
#include <net/http_client.h>
#include <util/result.h>

namespace blockstack::client {

struct GaiaHubConfig {
  std::string server;      // hub URL without a trailing '/'
  std::string url_prefix;  // read_url_prefix from /hub_info
  std::string address;     // the app key's bucket
  std::string token;       // "v1:<jwt>"
  double max_file_upload_size_mb = 0;  // 0 = no limit
};

// A v1 token for a hub: payload {gaiaChallenge, hubUrl, iss, salt, iat[,
// associationToken]}, signed with key.
std::string MakeGaiaAuthToken(const crypto::PrivateKey& key, const std::string& challenge_text,
                              const std::string& hub_url, const std::string& association_token = "");
// An association token letting child_public_key_hex write for identity_key's bucket.
std::string MakeGaiaAssociationToken(const crypto::PrivateKey& identity_key, const std::string& child_public_key_hex,
                                     double lifetime_seconds = 365.0 * 24 * 3600);

struct PutOptions {
  bool encrypt = true;
  bool sign = false;
  bool is_string = false;                 // recorded as wasString; default content type text/plain
  std::string content_type;               // default by is_string/encryption
  CipherTextEncoding encoding = CipherTextEncoding::Hex;
  std::optional<crypto::PublicKey> encrypt_to;  // default: the app key
  std::optional<std::string> if_match;    // ETag, or "*"
  bool create_only = false;               // If-None-Match: *
};

struct PutResult {
  std::string public_url;
  std::string etag;
};

struct GetOptions {
  bool decrypt = true;
  bool verify = false;
  std::optional<std::string> address;     // another bucket (default: ours)
  std::optional<std::string> url_prefix;  // its read prefix (default: ours)
};

struct GetResult {
  util::Bytes data;
  bool is_string = false;
  std::string content_type;
  std::string etag;
};

class GaiaClient {
 public:
  // GET {hub_url}/hub_info and build a token. Fails with Unavailable when the hub
  // cannot be reached, Corruption when it answers something else than hub_info.
  static util::Result<std::unique_ptr<GaiaClient>> Connect(const std::string& hub_url, const crypto::PrivateKey& app_key,
                                                           const std::string& association_token = "");

  const GaiaHubConfig& Config() const { return m_config; }

  // Errors carry the hub's message; the code follows its status: 401 Unauthorized,
  // 403 InvalidArgument, 404 NotFound, 409/412 Conflict, 413 TooLarge, else IoError.
  util::Result<PutResult> PutFile(const std::string& path, util::ByteView content, const PutOptions& options = {});
  // Fails with NotFound for a missing file, Unauthorized when a signature does not
  // verify or belongs to another address, Corruption for content that does not decrypt.
  util::Result<GetResult> GetFile(const std::string& path, const GetOptions& options = {});
  // Calls each with every path in the bucket, following pages. Returns the count.
  util::Result<std::size_t> ListFiles(const std::function<void(const std::string&)>& each);
  // Deletes path (and path.sig when was_signed).
  util::Status DeleteFile(const std::string& path, bool was_signed = false);
  // POST /revoke-all: tokens issued before oldest_valid (Unix seconds) stop working.
  util::Status RevokeAll(int64_t oldest_valid);

 private:
  GaiaClient(GaiaHubConfig config, crypto::PrivateKey key, std::unique_ptr<net::HttpClient> hub);
  util::Result<PutResult> Upload(const std::string& path, std::string_view body, const std::string& content_type,
                                 const PutOptions& options);
  util::Result<net::HttpResponse> HubRequest(const std::string& method, const std::string& route,
                                             net::HeaderList headers, std::string_view body);

  GaiaHubConfig m_config;
  crypto::PrivateKey m_key;
  std::unique_ptr<net::HttpClient> m_hub;
  std::string m_hub_path;  // path part of the hub URL, without a trailing '/'
  UrlFetcher m_readers{"Gaia read endpoint"};
};

struct ReadOptions {
  bool verify = false;                          // check the signature against the bucket's address
  std::optional<crypto::PrivateKey> decrypt_key;  // decrypt with this key (the content is a cipher object)
};

// Reads path from the bucket `address` under a read URL prefix (no hub connection
// needed), with the checks and errors of GaiaClient::GetFile.
util::Result<GetResult> ReadFile(UrlFetcher& fetcher, const std::string& url_prefix, const std::string& address,
                                const std::string& path, const ReadOptions& options);

// An error from a hub's JSON answer with the code its status maps to.
util::Error HubAnswerError(const net::HttpResponse& res, const std::string& what);

}  // namespace blockstack::client
