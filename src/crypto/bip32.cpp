#include <crypto/bip32.h>

#include <crypto/hash.h>

namespace blockstack::crypto {

util::Result<ExtendedPublicKey> DerivePublicChild(const ExtendedPublicKey& parent, uint32_t index) {
  if (index & 0x80000000u) return util::Fail(util::ErrorCode::InvalidArgument, "hardened index needs the private key");
  util::Bytes data = parent.key.Serialize(true);
  for (int shift = 24; shift >= 0; shift -= 8) data.push_back(static_cast<uint8_t>(index >> shift));
  auto i = HmacSha512(parent.chain_code.view(), data);
  util::FixedBytes<32> tweak;
  std::copy(i.begin(), i.begin() + 32, tweak.begin());
  BS_TRY(PublicKey child, parent.key.TweakAdd(tweak));
  ExtendedPublicKey out{child.WithCompression(true), {}};
  std::copy(i.begin() + 32, i.end(), out.chain_code.begin());
  return out;
}

}  // namespace blockstack::crypto
