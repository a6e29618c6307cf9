#include <testutil/certificates.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <memory>
#include <stdexcept>

namespace blockstack::testutil {

namespace {

template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

TestCertificate MakeSelfSignedCertificate(const std::string& name, const std::string& passphrase) {
  Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "key");
  Owned<X509, X509_free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), subject);
  unsigned char ip[16];
  bool is_ip = inet_pton(AF_INET, name.c_str(), ip) == 1 || inet_pton(AF_INET6, name.c_str(), ip) == 1;
  std::string san = (is_ip ? "IP:" : "DNS:") + name;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, san.c_str()}, std::pair{NID_basic_constraints, "CA:TRUE"}}) {
    Owned<X509_EXTENSION, X509_EXTENSION_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    Check(ext && X509_add_ext(cert.get(), ext.get(), -1) == 1, "extension");
  }
  Check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");
  TestCertificate out;
  Owned<BIO, BIO_free_all> cert_bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "write certificate");
  out.cert_pem = BioText(cert_bio.get());
  Owned<BIO, BIO_free_all> key_bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER* cipher = passphrase.empty() ? nullptr : EVP_aes_128_cbc();
  Check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), cipher,
                                 reinterpret_cast<const unsigned char*>(passphrase.data()),
                                 static_cast<int>(passphrase.size()), nullptr, nullptr) == 1,
        "write key");
  out.key_pem = BioText(key_bio.get());
  return out;
}

std::string ToPkcs12(const TestCertificate& cert, const std::string& passphrase) {
  Owned<BIO, BIO_free_all> cert_bio(BIO_new_mem_buf(cert.cert_pem.data(), static_cast<int>(cert.cert_pem.size())));
  Owned<X509, X509_free> x509(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  Owned<BIO, BIO_free_all> key_bio(BIO_new_mem_buf(cert.key_pem.data(), static_cast<int>(cert.key_pem.size())));
  Owned<EVP_PKEY, EVP_PKEY_free> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  Check(x509 && key, "read certificate and key");
  Owned<PKCS12, PKCS12_free> p12(
      PKCS12_create(passphrase.c_str(), "test", key.get(), x509.get(), nullptr, 0, 0, 0, 0, 0));
  Check(p12 != nullptr, "PKCS#12");
  Owned<BIO, BIO_free_all> out(BIO_new(BIO_s_mem()));
  Check(i2d_PKCS12_bio(out.get(), p12.get()) == 1, "write PKCS#12");
  return BioText(out.get());
}

}  // namespace blockstack::testutil
