// Gaia Authorization header checks (v1 JWT, legacy, association tokens, scopes):
// never crash, and the cache gives the same verdict as a fresh check.
#include <gaia/auth.h>

#include <cstdlib>
#include <string>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string header(reinterpret_cast<const char*>(data), size);
  gaia::AuthSettings settings;
  settings.server_name = "test-server";
  settings.require_correct_hub_url = size % 2 == 0;
  const char* bucket = "16mHK3nMEhVGjSYGbzEGA37vej7HYzJ9Xn";
  double oldest = size % 3 == 0 ? 1700000000.0 : 0.0;
  auto fresh = gaia::ValidateAuthorizationHeader(header, bucket, settings, oldest, 1800000000.0);
  gaia::AuthCache cache(2);
  for (int i = 0; i < 2; ++i) {
    auto cached = cache.Validate(header, bucket, settings, oldest, 1800000000.0);
    if (cached.has_value() != fresh.has_value()) std::abort();
    if (fresh && cached->signer_address != fresh->signer_address) std::abort();
    if (!fresh && cached.error().message != fresh.error().message) std::abort();
  }
  return 0;
}
