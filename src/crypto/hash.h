// Hash functions and HMAC (OpenSSL 3). All functions are thread-safe and cannot fail.
#pragma once

#include <util/bytes.h>

namespace blockstack::crypto {

using util::ByteView;
using util::Hash160;
using util::Hash256;

Hash256 Sha256(ByteView data);
// SHA-256 of SHA-256: Bitcoin's txid, block hash and checksum hash.
Hash256 Sha256d(ByteView data);
util::FixedBytes<64> Sha512(ByteView data);
Hash160 Ripemd160(ByteView data);
// RIPEMD-160 of SHA-256: addresses and BNS name hashes.
Hash160 Hash160Of(ByteView data);
// MD5: only for ETags (Gaia's disk driver and S3 report the MD5 of the content).
util::FixedBytes<16> Md5(ByteView data);
Hash256 HmacSha256(ByteView key, ByteView data);
util::FixedBytes<64> HmacSha512(ByteView key, ByteView data);
// PBKDF2 with HMAC-SHA512 (BIP39 seeds, the wallet's encrypted mnemonics).
util::Bytes Pbkdf2Sha512(ByteView password, ByteView salt, uint32_t iterations, std::size_t length);

// Incremental SHA-256 for data that arrives in pieces. Lives on the stack (no
// allocation). Not copyable.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  Sha256Hasher& Update(ByteView data);
  Hash256 Finish();

 private:
  alignas(8) unsigned char m_state[112];  // OpenSSL's SHA256_CTX
};

// Incremental MD5, for ETags of files hashed in pieces (an upload spooled to disk).
class Md5Hasher {
 public:
  Md5Hasher();
  ~Md5Hasher();
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;
  Md5Hasher& Update(ByteView data);
  util::FixedBytes<16> Finish();

 private:
  void* m_ctx;  // EVP_MD_CTX
};

}  // namespace blockstack::crypto
