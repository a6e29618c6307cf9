#include <crypto/base58check.h>

#include <cstring>

#include <crypto/hash.h>
#include <util/base58.h>

namespace blockstack::crypto {

std::string EncodeBase58Check(util::ByteView payload) {
  util::Bytes data(payload.begin(), payload.end());
  auto check = Sha256d(payload);
  data.insert(data.end(), check.begin(), check.begin() + 4);
  return util::EncodeBase58(data);
}

util::Result<util::Bytes> DecodeBase58Check(std::string_view text) {
  BS_TRY(util::Bytes data, util::DecodeBase58(text));
  if (data.size() < 4) {
    return util::Fail(util::ErrorCode::InvalidArgument, "base58check string too short");
  }
  util::ByteView payload(data.data(), data.size() - 4);
  auto check = Sha256d(payload);
  if (std::memcmp(check.data.data(), data.data() + payload.size(), 4) != 0) {
    return util::Fail(util::ErrorCode::InvalidArgument, "base58check checksum mismatch");
  }
  data.resize(payload.size());
  return data;
}

std::string EncodeVersionedHash(uint8_t version, const util::Hash160& hash) {
  util::Bytes payload;
  payload.reserve(21);
  payload.push_back(version);
  payload.insert(payload.end(), hash.begin(), hash.end());
  return EncodeBase58Check(payload);
}

}  // namespace blockstack::crypto
