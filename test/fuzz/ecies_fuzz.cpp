// ECIES cipher objects as stored in Gaia: decrypting hostile JSON never crashes,
// and what decrypts re-encrypts (with the same key) to something that decrypts
// back to the same bytes.
#include <client/ecies.h>

#include <cstdlib>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto key = *crypto::PrivateKey::FromHex("a5c61c6ca7b3e7e55edee68566aeab22e4da26baa285c7bd10e8d2218aa3b229");
  auto doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  auto plain = client::DecryptEcies(key, doc);
  if (!plain) return 0;
  auto again = client::DecryptEcies(key, client::EncryptEcies(key.GetPublicKey(), plain->data));
  if (!again || again->data != plain->data) std::abort();
  return 0;
}
