// AES-CBC with PKCS#7 padding (OpenSSL 3): AES-256 as ECIES in the JS clients uses
// it, AES-128 as the original wallet's encrypted mnemonics use it.
#pragma once

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::crypto {

// key: 32 bytes, iv: 16 bytes; otherwise InvalidArgument.
util::Result<util::Bytes> Aes256CbcEncrypt(util::ByteView key, util::ByteView iv, util::ByteView plaintext);
// Fails with InvalidArgument on bad key/iv sizes and Corruption on bad padding.
util::Result<util::Bytes> Aes256CbcDecrypt(util::ByteView key, util::ByteView iv, util::ByteView ciphertext);
// The same with a 16-byte key.
util::Result<util::Bytes> Aes128CbcEncrypt(util::ByteView key, util::ByteView iv, util::ByteView plaintext);
util::Result<util::Bytes> Aes128CbcDecrypt(util::ByteView key, util::ByteView iv, util::ByteView ciphertext);
// n bytes from the system CSPRNG.
util::Bytes RandomBytes(std::size_t n);

}  // namespace blockstack::crypto
