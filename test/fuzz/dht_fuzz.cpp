// Manifests read from the DHT: anything may sit under a key. Decoding never
// crashes, and what decodes stays within the limits (chunk count, size, no loop).
#include <dht/records.h>

#include <util/bytes.h>
#include <cstdlib>
#include <string_view>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string self(40, 'a');
  auto m = dht::DecodeManifest(text, self);
  if (!m) return 0;
  if (m->chunks.empty() || m->chunks.size() > dht::MAX_CHUNKS || m->size > dht::MAX_RECORD_BYTES) std::abort();
  for (const auto& c : m->chunks) {
    if (c == self || !util::IsHash160Hex(c)) std::abort();
  }
  if (m->size <= (m->chunks.size() - 1) * dht::CHUNK_BYTES || m->size > m->chunks.size() * dht::CHUNK_BYTES) std::abort();
  return 0;
}
