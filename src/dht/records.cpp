#include <dht/records.h>

#include <util/bytes.h>
#include <util/text.h>

namespace blockstack::dht {

using util::ErrorCode;
using util::Fail;

std::string EncodeManifest(const Manifest& m) {
  std::string out = std::string(MANIFEST_TYPE) + " " + std::to_string(m.size);
  for (const auto& c : m.chunks) out += " " + c;
  return out;
}

util::Result<Manifest> DecodeManifest(std::string_view text, std::string_view self) {
  if (text.size() > std::string_view(MANIFEST_TYPE).size() + 22 + MAX_CHUNKS * 41) {
    return Fail(ErrorCode::InvalidArgument, "manifest too long");
  }
  auto parts = util::SplitList(text, ' ');
  if (parts.size() < 3 || parts[0] != MANIFEST_TYPE) return Fail(ErrorCode::InvalidArgument, "not a manifest");
  auto size = util::ParseDecimal(parts[1], MAX_RECORD_BYTES, 10);
  if (!size) return Fail(ErrorCode::InvalidArgument, "manifest size is not a number within limits");
  Manifest m;
  m.size = *size;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    if (!util::IsHash160Hex(parts[i])) return Fail(ErrorCode::InvalidArgument, "manifest lists a malformed chunk hash");
    if (parts[i] == self) return Fail(ErrorCode::InvalidArgument, "manifest lists itself as a chunk");
    m.chunks.emplace_back(parts[i]);
  }
  if (m.chunks.size() > MAX_CHUNKS) return Fail(ErrorCode::InvalidArgument, "manifest lists too many chunks");
  // Every chunk but the last is full: the size must land in the last one.
  if (m.size <= (m.chunks.size() - 1) * CHUNK_BYTES || m.size > m.chunks.size() * CHUNK_BYTES) {
    return Fail(ErrorCode::InvalidArgument, "manifest size does not fit its chunk count");
  }
  return m;
}

std::vector<std::string> SplitChunks(std::string_view record) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < record.size(); at += CHUNK_BYTES) out.emplace_back(record.substr(at, CHUNK_BYTES));
  return out;
}

util::Result<std::string> JoinChunks(const Manifest& m, const std::vector<std::string>& chunks,
                                     std::string_view record_hash, const Hasher& hash160) {
  if (chunks.size() != m.chunks.size()) return Fail(ErrorCode::Corruption, "chunk count differs from the manifest");
  std::string out;
  out.reserve(m.size);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].size() > CHUNK_BYTES) return Fail(ErrorCode::Corruption, "chunk " + std::to_string(i) + " is oversized");
    if (hash160(chunks[i]) != m.chunks[i]) return Fail(ErrorCode::Corruption, "chunk " + std::to_string(i) + " does not match its hash");
    out += chunks[i];
  }
  if (out.size() != m.size) return Fail(ErrorCode::Corruption, "joined chunks differ in size from the manifest");
  if (hash160(out) != record_hash) return Fail(ErrorCode::Corruption, "joined record does not match its hash");
  return out;
}

}  // namespace blockstack::dht
