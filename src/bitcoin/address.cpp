#include <bitcoin/address.h>

#include <crypto/base58check.h>
#include <crypto/hash.h>

namespace blockstack::bitcoin {

std::string AddressFromHash160(const util::Hash160& hash, uint8_t version) {
  return crypto::EncodeVersionedHash(version, hash);
}

std::optional<std::string> AddressFromScript(ByteView script, const NetworkParams& params) {
  auto type = ClassifyScript(script);
  if (type != ScriptType::P2pkh && type != ScriptType::P2sh) return std::nullopt;
  auto hash = ScriptHash160(script);
  return AddressFromHash160(*hash, type == ScriptType::P2pkh ? params.p2pkh_version : params.p2sh_version);
}

std::string P2pkhAddress(const crypto::PublicKey& key, const NetworkParams& params) {
  return AddressFromHash160(crypto::Hash160Of(key.Serialize()), params.p2pkh_version);
}

util::Result<DecodedAddress> DecodeAddress(std::string_view address) {
  BS_TRY(Bytes payload, crypto::DecodeBase58Check(address));
  if (payload.size() != 21) {
    return util::Fail(util::ErrorCode::InvalidArgument, "address payload is not 21 bytes");
  }
  DecodedAddress out;
  out.version = payload[0];
  std::copy(payload.begin() + 1, payload.end(), out.hash.begin());
  return out;
}

util::Result<Bytes> ScriptFromAddress(std::string_view address, const NetworkParams& params) {
  BS_TRY(DecodedAddress decoded, DecodeAddress(address));
  const auto is = [&](uint8_t version, uint8_t alt) {
    return decoded.version == version || (alt && decoded.version == alt);
  };
  if (is(params.p2pkh_version, params.alt_p2pkh_version)) return MakeP2pkhScript(decoded.hash);
  if (is(params.p2sh_version, params.alt_p2sh_version)) return MakeP2shScript(decoded.hash);
  return util::Fail(util::ErrorCode::InvalidArgument,
                    "address '" + std::string(address) + "' is not a " + params.name + " address");
}

}  // namespace blockstack::bitcoin
