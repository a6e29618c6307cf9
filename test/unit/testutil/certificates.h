// Certificates made on the spot for tests of TLS servers and clients.
#pragma once

#include <string>

namespace blockstack::testutil {

struct TestCertificate {
  std::string cert_pem;  // self-signed, valid for a day, naming `name` (an IP address or a DNS name)
  std::string key_pem;   // P-256, unencrypted unless a passphrase was given
};

TestCertificate MakeSelfSignedCertificate(const std::string& name, const std::string& passphrase = "");
// The certificate and key as a PKCS#12 file's bytes, under passphrase.
std::string ToPkcs12(const TestCertificate& cert, const std::string& passphrase);

}  // namespace blockstack::testutil
