// Sign-in requests from apps (authenticator::CheckAuthRequest), and the query
// rewriting of redirect URIs: never crash; an accepted request keeps its
// invariants (one same-origin redirect and manifest URI, a checked transit key).
#include <authenticator/messages.h>

#include <cstdlib>
#include <string>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto request = authenticator::CheckAuthRequest(text, 1800000000);
  if (request) {
    if (authenticator::OriginOf(request->redirect_uri).value_or("") != request->app_origin) std::abort();
    if (authenticator::OriginOf(request->manifest_uri).value_or("") != request->app_origin) std::abort();
    if (!crypto::PublicKey::FromHex(request->transit_public_key)) std::abort();
  }
  std::string url = authenticator::SetQueryParameter(text, "authResponse", "a.b.c");
  if (url.find("authResponse=a.b.c") == std::string::npos) std::abort();
  return 0;
}
