// Snapshot files come from anyone. The input's first byte picks what is fed:
// 0 - a block record body to DecodeBlock; otherwise the rest is taken as a
// decompressed record stream, compressed and framed as a snapshot file (with a
// correct footer, so the reader gets past its checksum) and read to the end.
// Nothing may crash, hang or read out of bounds, and what decodes keeps its rules.
#include <snapshot/snapshot_file.h>

#include <zstd.h>

#include <cstdlib>
#include <string>

#include <crypto/hash.h>
#include <util/serialize.h>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  util::ByteView rest(data + 1, size - 1);
  if (data[0] == 0) {
    auto b = snapshot::DecodeBlock(rest);
    if (b && snapshot::EncodeBlock(*b) != util::Bytes(rest.begin(), rest.end())) std::abort();
    return 0;
  }
  std::string file("BSSNAP\x01\n", 8);
  std::string frame(ZSTD_compressBound(rest.size()), '\0');
  std::size_t n = ZSTD_compress(frame.data(), frame.size(), rest.data(), rest.size(), 1);
  if (ZSTD_isError(n)) std::abort();
  file.append(frame.data(), n);
  util::ByteWriter footer;
  footer.Append(util::AsBytes(std::string_view("BSSNAPFT")));
  footer.U64LE(n);
  footer.Append(crypto::Sha256(util::AsBytes(file)).view());
  file.append(util::AsChars(footer.Data()));
  auto r = snapshot::Reader::FromBytes(file);
  if (!r) return 0;
  uint32_t last = 0;
  bool any = false;
  for (int i = 0; i < 100000; ++i) {
    auto rec = (*r)->Next();
    if (!rec) return 0;
    if (auto* b = std::get_if<snapshot::Block>(&*rec)) {
      if (any && b->height != last + 1) std::abort();
      if (b->height > (*r)->GetHeader().height) std::abort();
      last = b->height;
      any = true;
    } else if (auto* z = std::get_if<snapshot::Zonefile>(&*rec)) {
      if (z->data.size() > snapshot::MAX_ZONEFILE_BYTES) std::abort();
    } else {
      if (last != (*r)->GetHeader().height) std::abort();
      return 0;
    }
  }
  return 0;
}
