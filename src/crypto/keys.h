// secp256k1 keys: parsing, serialising, ECDSA sign/verify, ECDH, WIF.
//
// Thread safety: every function here may be called from any thread; key objects
// are plain values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::crypto {

using util::Bytes;
using util::ByteView;
using util::Hash256;
using util::Result;

// Whether a verifier accepts signatures whose S is in the upper half of the order.
// Bitcoin script rules want low S; the JS clients (jsontokens, @stacks/encryption,
// bitcoinjs) accept both, so the default is to accept both.
enum class SPolicy { AcceptHighS, RequireLowS };

class PublicKey {
 public:
  // Accepts a 33-byte compressed (02/03) or 65-byte uncompressed (04) point.
  // Fails with InvalidArgument on any other encoding or a point not on the curve.
  static Result<PublicKey> Parse(ByteView encoded);
  static Result<PublicKey> FromHex(std::string_view hex);

  // Serialises in the form it was parsed or derived in.
  Bytes Serialize() const { return Serialize(m_compressed); }
  Bytes Serialize(bool compressed) const;
  std::string Hex() const { return util::ToHex(Serialize()); }
  bool IsCompressed() const { return m_compressed; }
  // The same point marked for the other serialisation.
  PublicKey WithCompression(bool compressed) const;

  // Verifies a DER signature (strict DER) over a 32-byte digest.
  bool VerifyDer(const Hash256& digest, ByteView der, SPolicy policy = SPolicy::AcceptHighS) const;
  // Verifies a 64-byte r||s signature over a 32-byte digest.
  bool VerifyCompact(const Hash256& digest, ByteView rs, SPolicy policy = SPolicy::AcceptHighS) const;

  bool operator==(const PublicKey& other) const;

  // This point plus tweak*G. Fails when tweak is not below the order or the sum is
  // the point at infinity.
  Result<PublicKey> TweakAdd(const util::FixedBytes<32>& tweak) const;

 private:
  friend class PrivateKey;
  PublicKey() = default;
  std::array<uint8_t, 64> m_point{};  // libsecp256k1's opaque secp256k1_pubkey
  bool m_compressed = true;
};

class PrivateKey {
 public:
  // A fresh key from the system's CSPRNG.
  static PrivateKey Generate(bool compressed = true);
  // 32 bytes, or 33 bytes ending in 0x01 (the JS libraries' "compressed" hex form).
  // Fails with InvalidArgument when the scalar is zero or not below the group order.
  static Result<PrivateKey> FromBytes(ByteView bytes);
  static Result<PrivateKey> FromHex(std::string_view hex);
  // Decodes WIF. On success, *version (if given) receives the version byte
  // (0x80 mainnet, 0xef testnet/regtest).
  static Result<PrivateKey> FromWif(std::string_view wif, uint8_t* version = nullptr);

  ~PrivateKey();
  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;

  const std::array<uint8_t, 32>& Secret() const { return m_secret; }
  std::string Hex() const { return util::ToHex(ByteView(m_secret.data(), 32)); }
  std::string ToWif(uint8_t version) const;
  bool IsCompressed() const { return m_compressed; }
  PublicKey GetPublicKey() const;

  // RFC 6979 deterministic ECDSA, low S. DER-encoded.
  Bytes SignDer(const Hash256& digest) const;
  // The same signature as 64 bytes r||s.
  std::array<uint8_t, 64> SignCompact(const Hash256& digest) const;
  // ECDH: the x coordinate of secret * peer (32 bytes), unhashed.
  Result<util::FixedBytes<32>> EcdhX(const PublicKey& peer) const;
  // (secret + tweak) mod n, compressed. Fails when tweak is not below the order or
  // the sum is zero.
  Result<PrivateKey> TweakAdd(const util::FixedBytes<32>& tweak) const;

 private:
  PrivateKey() = default;
  std::array<uint8_t, 32> m_secret{};
  bool m_compressed = true;
};

// Converts a DER signature to 64-byte r||s; fails on non-strict DER.
Result<std::array<uint8_t, 64>> DerToCompact(ByteView der);
// Converts r||s to DER (S kept as is).
Result<Bytes> CompactToDer(ByteView rs);

}  // namespace blockstack::crypto
