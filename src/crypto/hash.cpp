#include <crypto/hash.h>

// SHA-256 is the hot hash (txids, merkle trees, block hashes) and, with RIPEMD-160,
// makes hash160 (every operation's sender public key is matched by it). Both are
// mostly taken of short inputs, where EVP's per-call context allocation and
// provider dispatch cost more than the hashing (RIPEMD-160 of 32 bytes: 920 ns
// through EVP_Digest, 570 ns direct). OpenSSL 3 still ships the direct SHA256_*
// and RIPEMD160_* functions, marked deprecated; they are used deliberately here and
// nowhere else.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include <cassert>
#include <cstdlib>

namespace blockstack::crypto {
namespace {

// Algorithms are fetched once per process: an implicit fetch on every call costs
// more than hashing a short input.
const EVP_MD* Fetch(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) std::abort();  // the default provider is missing: nothing can work
  return md;
}
const EVP_MD* Sha256Md() { static const EVP_MD* md = Fetch("SHA256"); return md; }
const EVP_MD* Sha512Md() { static const EVP_MD* md = Fetch("SHA512"); return md; }
const EVP_MD* Md5Md() { static const EVP_MD* md = Fetch("MD5"); return md; }

template <std::size_t N>
util::FixedBytes<N> Digest(const EVP_MD* md, ByteView data) {
  util::FixedBytes<N> out;
  unsigned int len = 0;
  int ok = EVP_Digest(data.data(), data.size(), out.data.data(), &len, md, nullptr);
  assert(ok == 1 && len == N);
  (void)ok;
  return out;
}

template <std::size_t N>
util::FixedBytes<N> Hmac(const EVP_MD* md, ByteView key, ByteView data) {
  util::FixedBytes<N> out;
  unsigned int len = 0;
  static const uint8_t empty = 0;
  auto* res = HMAC(md, key.empty() ? &empty : key.data(), static_cast<int>(key.size()),
                   data.empty() ? &empty : data.data(), data.size(), out.data.data(), &len);
  assert(res != nullptr && len == N);
  (void)res;
  return out;
}

// One call of a direct (non-EVP) digest's init, update and final.
template <class Out, class Ctx>
Out Direct(int (*init)(Ctx*), int (*update)(Ctx*, const void*, size_t), int (*finish)(unsigned char*, Ctx*),
           ByteView data) {
  Out out;
  Ctx ctx;
  init(&ctx);
  update(&ctx, data.data(), data.size());
  finish(out.data.data(), &ctx);
  return out;
}

}  // namespace

Hash256 Sha256(ByteView data) { return Direct<Hash256>(SHA256_Init, SHA256_Update, SHA256_Final, data); }

Hash256 Sha256d(ByteView data) {
  Hash256 first = Sha256(data);
  return Sha256(first.view());
}
util::FixedBytes<64> Sha512(ByteView data) { return Digest<64>(Sha512Md(), data); }
util::FixedBytes<16> Md5(ByteView data) { return Digest<16>(Md5Md(), data); }
Hash160 Ripemd160(ByteView data) { return Direct<Hash160>(RIPEMD160_Init, RIPEMD160_Update, RIPEMD160_Final, data); }
Hash160 Hash160Of(ByteView data) { return Ripemd160(Sha256(data).view()); }
Hash256 HmacSha256(ByteView key, ByteView data) { return Hmac<32>(Sha256Md(), key, data); }
util::FixedBytes<64> HmacSha512(ByteView key, ByteView data) { return Hmac<64>(Sha512Md(), key, data); }

util::Bytes Pbkdf2Sha512(ByteView password, ByteView salt, uint32_t iterations, std::size_t length) {
  static const unsigned char empty = 0;
  util::Bytes out(length);
  int ok = PKCS5_PBKDF2_HMAC(
      password.empty() ? reinterpret_cast<const char*>(&empty) : reinterpret_cast<const char*>(password.data()),
      static_cast<int>(password.size()), salt.empty() ? &empty : salt.data(), static_cast<int>(salt.size()),
      static_cast<int>(iterations), Sha512Md(), static_cast<int>(length), out.data());
  if (ok != 1) std::abort();
  return out;
}

Sha256Hasher::Sha256Hasher() {
  static_assert(sizeof(SHA256_CTX) <= sizeof(m_state));
  SHA256_Init(reinterpret_cast<SHA256_CTX*>(m_state));
}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher& Sha256Hasher::Update(ByteView data) {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(m_state), data.data(), data.size());
  return *this;
}
Hash256 Sha256Hasher::Finish() {
  Hash256 out;
  SHA256_Final(out.data.data(), reinterpret_cast<SHA256_CTX*>(m_state));
  SHA256_Init(reinterpret_cast<SHA256_CTX*>(m_state));
  return out;
}

Md5Hasher::Md5Hasher() : m_ctx(EVP_MD_CTX_new()) {
  if (m_ctx == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(m_ctx), Md5Md(), nullptr) != 1) std::abort();
}
Md5Hasher::~Md5Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(m_ctx)); }
Md5Hasher& Md5Hasher::Update(ByteView data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(m_ctx), data.data(), data.size());
  return *this;
}
util::FixedBytes<16> Md5Hasher::Finish() {
  util::FixedBytes<16> out;
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(m_ctx), out.data.data(), &len);
  return out;
}

}  // namespace blockstack::crypto
