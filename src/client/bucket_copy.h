// Copying Gaia buckets as they are stored: every file's bytes and content type,
// signature files included, with nothing decrypted or re-signed. The pieces of
// `gaia dump`, `gaia restore` and `gaia migrate`: list a bucket, read a file as
// stored, write it elsewhere and read it back, and check the signature a signed
// file carries against the bucket's address.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <client/gaia_client.h>

namespace blockstack::client {

struct StoredFile {
  std::string path;
  util::Bytes data;
  std::string content_type;
};

// Every path in the hub's bucket, sorted. Fails as GaiaClient::ListFiles does.
util::Result<std::vector<std::string>> ListBucket(GaiaClient& hub);
// The file's stored bytes and content type (nothing decrypted or checked).
util::Result<StoredFile> ReadStored(GaiaClient& hub, const std::string& path);
// Writes the file as stored (same bytes, same content type), then reads it back
// through the hub's read URL. Fails with the hub's error when the write is
// refused, and with Corruption when what is read back differs.
util::Status WriteStoredVerified(GaiaClient& hub, const StoredFile& file);

// Which signature a stored file carries: a companion PATH.sig (signECDSA JSON),
// the signed envelope of encrypted-and-signed content ({signature, publicKey,
// cipherText}), or none.
enum class SignatureKind { None, SigFile, Envelope };
SignatureKind SignatureOf(const StoredFile& file, bool has_sig_file);
// Checks a signed file's signature and that its signer owns `address`. sig_file
// is PATH.sig's content for SignatureKind::SigFile. Fails with Unauthorized.
util::Status VerifyStoredSignature(const StoredFile& file, const std::optional<util::Bytes>& sig_file,
                                   const std::string& address);

}  // namespace blockstack::client
