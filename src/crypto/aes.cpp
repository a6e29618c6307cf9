#include <crypto/aes.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace blockstack::crypto {
namespace {

using util::ErrorCode;
using util::Fail;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

util::Result<util::Bytes> Run(bool encrypt, std::size_t key_size, util::ByteView key, util::ByteView iv,
                              util::ByteView in) {
  if (key.size() != key_size) {
    return Fail(ErrorCode::InvalidArgument,
                key_size == 32 ? "AES-256 key must be 32 bytes" : "AES-128 key must be 16 bytes");
  }
  if (iv.size() != 16) return Fail(ErrorCode::InvalidArgument, "AES-CBC IV must be 16 bytes");
  if (in.size() > (1u << 30)) return Fail(ErrorCode::TooLarge, "AES input over 1 GiB");
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), key_size == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(), nullptr, key.data(),
                                iv.data(), encrypt ? 1 : 0) != 1) {
    return Fail(ErrorCode::IoError, "cannot initialise AES-CBC");
  }
  util::Bytes out(in.size() + 16);
  int len1 = 0;
  int len2 = 0;
  static const uint8_t empty = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len1, in.empty() ? &empty : in.data(), static_cast<int>(in.size())) != 1) {
    return Fail(ErrorCode::Corruption, "AES-CBC update failed");
  }
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len1, &len2) != 1) {
    return Fail(ErrorCode::Corruption,
                encrypt ? "AES-CBC final failed" : "bad padding: wrong key or corrupted ciphertext");
  }
  out.resize(static_cast<std::size_t>(len1 + len2));
  return out;
}

}  // namespace

util::Result<util::Bytes> Aes256CbcEncrypt(util::ByteView key, util::ByteView iv, util::ByteView plaintext) {
  return Run(true, 32, key, iv, plaintext);
}
util::Result<util::Bytes> Aes256CbcDecrypt(util::ByteView key, util::ByteView iv, util::ByteView ciphertext) {
  return Run(false, 32, key, iv, ciphertext);
}
util::Result<util::Bytes> Aes128CbcEncrypt(util::ByteView key, util::ByteView iv, util::ByteView plaintext) {
  return Run(true, 16, key, iv, plaintext);
}
util::Result<util::Bytes> Aes128CbcDecrypt(util::ByteView key, util::ByteView iv, util::ByteView ciphertext) {
  return Run(false, 16, key, iv, ciphertext);
}

util::Bytes RandomBytes(std::size_t n) {
  util::Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) std::abort();
  return out;
}

}  // namespace blockstack::crypto
