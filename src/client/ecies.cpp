#include <client/ecies.h>

#include <openssl/crypto.h>

#include <cassert>

#include <crypto/aes.h>
#include <crypto/base58check.h>
#include <crypto/hash.h>
#include <util/base64.h>

namespace blockstack::client {

using util::ErrorCode;
using util::Fail;

namespace {

struct Keys {
  util::Bytes aes;
  util::Bytes mac;
};

Keys DeriveKeys(const util::FixedBytes<32>& shared_x) {
  auto h = crypto::Sha512(shared_x);
  return {util::Bytes(h.begin(), h.begin() + 32), util::Bytes(h.begin() + 32, h.end())};
}

util::Hash256 Mac(const Keys& keys, util::ByteView iv, util::ByteView ephemeral, util::ByteView ciphertext) {
  util::Bytes input(iv.begin(), iv.end());
  input.insert(input.end(), ephemeral.begin(), ephemeral.end());
  input.insert(input.end(), ciphertext.begin(), ciphertext.end());
  return crypto::HmacSha256(keys.mac, input);
}

}  // namespace

nlohmann::ordered_json EncryptEcies(const crypto::PublicKey& recipient, util::ByteView plaintext,
                                    const EciesOptions& options) {
  crypto::PrivateKey ephemeral = options.ephemeral ? *options.ephemeral : crypto::PrivateKey::Generate(true);
  util::Bytes iv = options.iv ? *options.iv : crypto::RandomBytes(16);
  auto shared = ephemeral.EcdhX(recipient);
  assert(shared);  // a valid public key times a valid scalar is never infinity
  Keys keys = DeriveKeys(*shared);
  auto ciphertext = crypto::Aes256CbcEncrypt(keys.aes, iv, plaintext);
  assert(ciphertext);
  util::Bytes ephemeral_pk = ephemeral.GetPublicKey().Serialize(true);
  auto mac = Mac(keys, iv, ephemeral_pk, *ciphertext);
  nlohmann::ordered_json out;
  out["iv"] = util::ToHex(iv);
  out["ephemeralPK"] = util::ToHex(ephemeral_pk);
  out["cipherText"] = options.encoding == CipherTextEncoding::Base64 ? util::EncodeBase64(*ciphertext)
                                                                     : util::ToHex(*ciphertext);
  out["mac"] = util::ToHex(mac);
  out["wasString"] = options.was_string;
  if (options.encoding == CipherTextEncoding::Base64) out["cipherTextEncoding"] = "base64";
  return out;
}

util::Result<Decrypted> DecryptEcies(const crypto::PrivateKey& recipient, const nlohmann::json& cipher) {
  auto str = [&](const char* key) -> std::optional<std::string> {
    if (!cipher.is_object() || !cipher.contains(key) || !cipher[key].is_string()) return std::nullopt;
    return cipher[key].get<std::string>();
  };
  auto ephemeral_hex = str("ephemeralPK");
  if (!ephemeral_hex) return Fail(ErrorCode::InvalidArgument, "content is not encrypted (no ephemeralPK)");
  auto iv_hex = str("iv");
  auto ct_text = str("cipherText");
  auto mac_hex = str("mac");
  if (!iv_hex || !ct_text || !mac_hex) return Fail(ErrorCode::InvalidArgument, "malformed cipher object");
  BS_TRY(auto ephemeral_bytes, util::FromHex(*ephemeral_hex));
  BS_TRY(auto ephemeral, crypto::PublicKey::Parse(ephemeral_bytes));
  BS_TRY(auto iv, util::FromHex(*iv_hex));
  BS_TRY(auto mac, util::FromHex(*mac_hex));
  auto encoding = str("cipherTextEncoding");
  util::Bytes ciphertext;
  if (encoding && *encoding == "base64") {
    BS_TRY(ciphertext, util::DecodeBase64(*ct_text));
  } else {
    BS_TRY(ciphertext, util::FromHex(*ct_text));
  }
  if (iv.size() != 16) return Fail(ErrorCode::InvalidArgument, "malformed cipher object: iv is not 16 bytes");
  BS_TRY(auto shared, recipient.EcdhX(ephemeral));
  Keys keys = DeriveKeys(shared);
  auto expected = Mac(keys, iv, ephemeral_bytes, ciphertext);
  if (mac.size() != 32 || CRYPTO_memcmp(expected.begin(), mac.data(), 32) != 0) {
    return Fail(ErrorCode::Unauthorized, "failure in MAC check");
  }
  Decrypted out;
  BS_TRY(out.data, crypto::Aes256CbcDecrypt(keys.aes, iv, ciphertext));
  out.was_string = cipher.contains("wasString") && cipher["wasString"].is_boolean() && cipher["wasString"].get<bool>();
  return out;
}

nlohmann::ordered_json SignContent(const crypto::PrivateKey& key, util::ByteView content) {
  nlohmann::ordered_json out;
  out["signature"] = util::ToHex(key.SignDer(crypto::Sha256(content)));
  out["publicKey"] = util::ToHex(key.GetPublicKey().Serialize(true));
  return out;
}

bool VerifyContent(util::ByteView content, std::string_view public_key_hex, std::string_view signature_der_hex) {
  auto key = crypto::PublicKey::FromHex(public_key_hex);
  auto sig = util::FromHex(signature_der_hex);
  if (!key || !sig) return false;
  return key->VerifyDer(crypto::Sha256(content), *sig, crypto::SPolicy::AcceptHighS);
}

std::string GaiaAddress(const crypto::PublicKey& key) {
  return crypto::EncodeVersionedHash(0x00, crypto::Hash160Of(key.Serialize(true)));
}

}  // namespace blockstack::client
