#include <client/bucket_copy.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include <client/ecies.h>

namespace blockstack::client {
namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

// Whether a JSON document is the envelope @stacks/storage writes for encrypted
// and signed content.
bool IsEnvelope(const json& doc) {
  return doc.is_object() && doc.contains("signature") && doc["signature"].is_string() && doc.contains("publicKey") &&
         doc["publicKey"].is_string() && doc.contains("cipherText") && doc["cipherText"].is_string();
}

util::Status CheckSigner(const std::string& path, const std::string& public_key_hex, const std::string& address) {
  auto key = crypto::PublicKey::FromHex(public_key_hex);
  if (!key) return Fail(ErrorCode::Unauthorized, "signature of " + path + " carries an invalid public key");
  if (GaiaAddress(*key) != address) {
    return Fail(ErrorCode::Unauthorized,
                "signer " + GaiaAddress(*key) + " of " + path + " does not own bucket " + address);
  }
  return util::Ok();
}

}  // namespace

util::Result<std::vector<std::string>> ListBucket(GaiaClient& hub) {
  std::vector<std::string> paths;
  BS_CHECK_OK(hub.ListFiles([&](const std::string& p) { paths.push_back(p); }));
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

util::Result<StoredFile> ReadStored(GaiaClient& hub, const std::string& path) {
  GetOptions raw;
  raw.decrypt = false;
  BS_TRY(auto got, hub.GetFile(path, raw));
  return StoredFile{path, std::move(got.data), std::move(got.content_type)};
}

util::Status WriteStoredVerified(GaiaClient& hub, const StoredFile& file) {
  PutOptions put;
  put.encrypt = false;
  put.content_type = file.content_type.empty() ? "application/octet-stream" : file.content_type;
  BS_CHECK_OK(hub.PutFile(file.path, file.data, put));
  BS_TRY(auto back, ReadStored(hub, file.path));
  if (back.data != file.data) {
    return Fail(ErrorCode::Corruption, "the copy of " + file.path + " reads back different (" +
                                           std::to_string(back.data.size()) + " bytes, not " +
                                           std::to_string(file.data.size()) + ")");
  }
  return util::Ok();
}

SignatureKind SignatureOf(const StoredFile& file, bool has_sig_file) {
  if (has_sig_file) return SignatureKind::SigFile;
  if (file.data.empty() || file.data.front() != '{') return SignatureKind::None;
  return IsEnvelope(json::parse(file.data.begin(), file.data.end(), nullptr, false)) ? SignatureKind::Envelope
                                                                                     : SignatureKind::None;
}

util::Status VerifyStoredSignature(const StoredFile& file, const std::optional<util::Bytes>& sig_file,
                                   const std::string& address) {
  if (sig_file) {
    auto sig = json::parse(sig_file->begin(), sig_file->end(), nullptr, false);
    if (!sig.is_object() || !sig.contains("signature") || !sig["signature"].is_string() || !sig.contains("publicKey") ||
        !sig["publicKey"].is_string()) {
      return Fail(ErrorCode::Unauthorized, file.path + ".sig is not a signature object");
    }
    BS_CHECK_OK(CheckSigner(file.path, sig["publicKey"], address));
    if (!VerifyContent(file.data, sig["publicKey"].get<std::string>(), sig["signature"].get<std::string>())) {
      return Fail(ErrorCode::Unauthorized, "signature of " + file.path + " does not verify");
    }
    return util::Ok();
  }
  auto doc = json::parse(file.data.begin(), file.data.end(), nullptr, false);
  if (!IsEnvelope(doc)) return Fail(ErrorCode::Unauthorized, file.path + " is not signed content");
  BS_CHECK_OK(CheckSigner(file.path, doc["publicKey"], address));
  std::string cipher_text = doc["cipherText"];
  if (!VerifyContent(util::AsBytes(cipher_text), doc["publicKey"].get<std::string>(),
                     doc["signature"].get<std::string>())) {
    return Fail(ErrorCode::Unauthorized, "signature of " + file.path + " does not verify");
  }
  return util::Ok();
}

}  // namespace blockstack::client
