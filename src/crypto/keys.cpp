#include <crypto/keys.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>

#include <cstdlib>
#include <cstring>

#include <crypto/base58check.h>

namespace blockstack::crypto {
namespace {

using util::ErrorCode;
using util::Fail;

// One randomised context for the process; libsecp256k1 contexts are safe to share
// between threads for every const operation used here.
const secp256k1_context* Ctx() {
  static const secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<uint8_t, 32> seed{};
    if (RAND_bytes(seed.data(), 32) == 1) {
      int ok = secp256k1_context_randomize(c, seed.data());
      (void)ok;  // an unrandomised context is still correct, only less blinded
    }
    return c;
  }();
  return ctx;
}

secp256k1_pubkey* AsPubkey(std::array<uint8_t, 64>& a) { return reinterpret_cast<secp256k1_pubkey*>(a.data()); }
const secp256k1_pubkey* AsPubkey(const std::array<uint8_t, 64>& a) {
  return reinterpret_cast<const secp256k1_pubkey*>(a.data());
}

bool ParseDer(ByteView der, secp256k1_ecdsa_signature* sig) {
  if (der.empty()) return false;
  return secp256k1_ecdsa_signature_parse_der(Ctx(), sig, der.data(), der.size()) == 1;
}

int EcdhCopyX(unsigned char* output, const unsigned char* x32, const unsigned char*, void*) {
  std::memcpy(output, x32, 32);
  return 1;
}

}  // namespace

static_assert(sizeof(secp256k1_pubkey) == 64);

Result<PublicKey> PublicKey::Parse(ByteView encoded) {
  bool compressed = encoded.size() == 33 && (encoded[0] == 0x02 || encoded[0] == 0x03);
  bool uncompressed = encoded.size() == 65 && encoded[0] == 0x04;
  if (!compressed && !uncompressed) {
    return Fail(ErrorCode::InvalidArgument, "public key must be 33 bytes (02/03) or 65 bytes (04), got " +
                                                std::to_string(encoded.size()) + " bytes");
  }
  PublicKey key;
  if (secp256k1_ec_pubkey_parse(Ctx(), AsPubkey(key.m_point), encoded.data(), encoded.size()) != 1) {
    return Fail(ErrorCode::InvalidArgument, "public key is not a point on secp256k1");
  }
  key.m_compressed = compressed;
  return key;
}

Result<PublicKey> PublicKey::FromHex(std::string_view hex) {
  BS_TRY(Bytes bytes, util::FromHex(hex));
  return Parse(bytes);
}

Bytes PublicKey::Serialize(bool compressed) const {
  Bytes out(compressed ? 33 : 65);
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(Ctx(), out.data(), &len, AsPubkey(m_point),
                                compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
  return out;
}

PublicKey PublicKey::WithCompression(bool compressed) const {
  PublicKey k = *this;
  k.m_compressed = compressed;
  return k;
}

bool PublicKey::operator==(const PublicKey& other) const {
  return Serialize(true) == other.Serialize(true) && m_compressed == other.m_compressed;
}

Result<PublicKey> PublicKey::TweakAdd(const util::FixedBytes<32>& tweak) const {
  PublicKey out = *this;
  if (secp256k1_ec_pubkey_tweak_add(Ctx(), AsPubkey(out.m_point), tweak.data.data()) != 1) {
    return Fail(ErrorCode::InvalidArgument, "tweak gives an invalid key");
  }
  return out;
}

bool PublicKey::VerifyDer(const Hash256& digest, ByteView der, SPolicy policy) const {
  secp256k1_ecdsa_signature sig;
  if (!ParseDer(der, &sig)) return false;
  if (policy == SPolicy::AcceptHighS) secp256k1_ecdsa_signature_normalize(Ctx(), &sig, &sig);
  return secp256k1_ecdsa_verify(Ctx(), &sig, digest.data.data(), AsPubkey(m_point)) == 1;
}

bool PublicKey::VerifyCompact(const Hash256& digest, ByteView rs, SPolicy policy) const {
  if (rs.size() != 64) return false;
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_signature_parse_compact(Ctx(), &sig, rs.data()) != 1) return false;
  if (policy == SPolicy::AcceptHighS) secp256k1_ecdsa_signature_normalize(Ctx(), &sig, &sig);
  return secp256k1_ecdsa_verify(Ctx(), &sig, digest.data.data(), AsPubkey(m_point)) == 1;
}

PrivateKey::~PrivateKey() { OPENSSL_cleanse(m_secret.data(), m_secret.size()); }

PrivateKey PrivateKey::Generate(bool compressed) {
  PrivateKey key;
  key.m_compressed = compressed;
  do {
    if (RAND_bytes(key.m_secret.data(), 32) != 1) std::abort();  // no entropy: refuse to make weak keys
  } while (secp256k1_ec_seckey_verify(Ctx(), key.m_secret.data()) != 1);
  return key;
}

Result<PrivateKey> PrivateKey::FromBytes(ByteView bytes) {
  bool compressed = true;
  if (bytes.size() == 33 && bytes[32] == 0x01) {
    bytes = bytes.first(32);
  } else if (bytes.size() != 32) {
    return Fail(ErrorCode::InvalidArgument,
                "private key must be 32 bytes (or 33 ending in 01), got " + std::to_string(bytes.size()));
  }
  PrivateKey key;
  std::memcpy(key.m_secret.data(), bytes.data(), 32);
  key.m_compressed = compressed;
  if (secp256k1_ec_seckey_verify(Ctx(), key.m_secret.data()) != 1) {
    return Fail(ErrorCode::InvalidArgument, "private key is zero or not below the curve order");
  }
  return key;
}

Result<PrivateKey> PrivateKey::FromHex(std::string_view hex) {
  BS_TRY(Bytes bytes, util::FromHex(hex));
  return FromBytes(bytes);
}

Result<PrivateKey> PrivateKey::FromWif(std::string_view wif, uint8_t* version) {
  BS_TRY(Bytes data, DecodeBase58Check(wif));
  bool compressed = false;
  if (data.size() == 34 && data[33] == 0x01) {
    compressed = true;
  } else if (data.size() != 33) {
    return Fail(ErrorCode::InvalidArgument, "WIF payload has the wrong length");
  }
  BS_TRY(PrivateKey key, FromBytes(ByteView(data.data() + 1, 32)));
  key.m_compressed = compressed;
  if (version != nullptr) *version = data[0];
  OPENSSL_cleanse(data.data(), data.size());
  return key;
}

std::string PrivateKey::ToWif(uint8_t version) const {
  Bytes data;
  data.push_back(version);
  data.insert(data.end(), m_secret.begin(), m_secret.end());
  if (m_compressed) data.push_back(0x01);
  std::string out = EncodeBase58Check(data);
  OPENSSL_cleanse(data.data(), data.size());
  return out;
}

PublicKey PrivateKey::GetPublicKey() const {
  PublicKey pub;
  int ok = secp256k1_ec_pubkey_create(Ctx(), AsPubkey(pub.m_point), m_secret.data());
  if (ok != 1) std::abort();  // the secret was verified on construction
  pub.m_compressed = m_compressed;
  return pub;
}

Bytes PrivateKey::SignDer(const Hash256& digest) const {
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_sign(Ctx(), &sig, digest.data.data(), m_secret.data(), nullptr, nullptr) != 1) std::abort();
  Bytes der(72);
  size_t len = der.size();
  secp256k1_ecdsa_signature_serialize_der(Ctx(), der.data(), &len, &sig);
  der.resize(len);
  return der;
}

std::array<uint8_t, 64> PrivateKey::SignCompact(const Hash256& digest) const {
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_sign(Ctx(), &sig, digest.data.data(), m_secret.data(), nullptr, nullptr) != 1) std::abort();
  std::array<uint8_t, 64> out{};
  secp256k1_ecdsa_signature_serialize_compact(Ctx(), out.data(), &sig);
  return out;
}

Result<PrivateKey> PrivateKey::TweakAdd(const util::FixedBytes<32>& tweak) const {
  PrivateKey out = *this;
  out.m_compressed = true;
  if (secp256k1_ec_seckey_tweak_add(Ctx(), out.m_secret.data(), tweak.data.data()) != 1) {
    return Fail(ErrorCode::InvalidArgument, "tweak gives an invalid key");
  }
  return out;
}

Result<util::FixedBytes<32>> PrivateKey::EcdhX(const PublicKey& peer) const {
  util::FixedBytes<32> out;
  if (secp256k1_ecdh(Ctx(), out.data.data(), AsPubkey(peer.m_point), m_secret.data(), EcdhCopyX, nullptr) != 1) {
    return Fail(ErrorCode::InvalidArgument, "ECDH failed");
  }
  return out;
}

Result<std::array<uint8_t, 64>> DerToCompact(ByteView der) {
  secp256k1_ecdsa_signature sig;
  if (!ParseDer(der, &sig)) return Fail(ErrorCode::InvalidArgument, "signature is not strict DER");
  std::array<uint8_t, 64> out{};
  secp256k1_ecdsa_signature_serialize_compact(Ctx(), out.data(), &sig);
  return out;
}

Result<Bytes> CompactToDer(ByteView rs) {
  if (rs.size() != 64) return Fail(ErrorCode::InvalidArgument, "r||s signature must be 64 bytes");
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_signature_parse_compact(Ctx(), &sig, rs.data()) != 1) {
    return Fail(ErrorCode::InvalidArgument, "r or s is not below the curve order");
  }
  Bytes der(72);
  size_t len = der.size();
  secp256k1_ecdsa_signature_serialize_der(Ctx(), der.data(), &len, &sig);
  der.resize(len);
  return der;
}

}  // namespace blockstack::crypto
