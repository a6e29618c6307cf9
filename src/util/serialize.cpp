#include <util/serialize.h>

namespace blockstack::util {

Unexpected ByteReader::Short(std::size_t need) const {
  return Fail(ErrorCode::Corruption, "unexpected end of data: need " + std::to_string(need) +
                                         " bytes at offset " + std::to_string(m_pos) + ", " +
                                         std::to_string(Remaining()) + " left");
}

Result<uint8_t> ByteReader::U8() {
  if (Remaining() < 1) return Short(1);
  return m_data[m_pos++];
}

#define BS_READ_LE(NAME, TYPE, N)                                  \
  Result<TYPE> ByteReader::NAME() {                                \
    if (Remaining() < (N)) return Short(N);                        \
    uint64_t v = 0;                                                \
    for (int i = 0; i < (N); ++i) v |= uint64_t{m_data[m_pos + i]} << (8 * i); \
    m_pos += (N);                                                  \
    return static_cast<TYPE>(v);                                   \
  }
#define BS_READ_BE(NAME, TYPE, N)                                  \
  Result<TYPE> ByteReader::NAME() {                                \
    if (Remaining() < (N)) return Short(N);                        \
    uint64_t v = 0;                                                \
    for (int i = 0; i < (N); ++i) v = (v << 8) | m_data[m_pos + i]; \
    m_pos += (N);                                                  \
    return static_cast<TYPE>(v);                                   \
  }
BS_READ_LE(U16LE, uint16_t, 2)
BS_READ_LE(U32LE, uint32_t, 4)
BS_READ_LE(U64LE, uint64_t, 8)
BS_READ_LE(I32LE, int32_t, 4)
BS_READ_LE(I64LE, int64_t, 8)
BS_READ_BE(U16BE, uint16_t, 2)
BS_READ_BE(U32BE, uint32_t, 4)
BS_READ_BE(U64BE, uint64_t, 8)
#undef BS_READ_LE
#undef BS_READ_BE

Result<ByteView> ByteReader::Take(std::size_t n) {
  if (Remaining() < n) return Short(n);
  ByteView out = m_data.subspan(m_pos, n);
  m_pos += n;
  return out;
}

Status ByteReader::Skip(std::size_t n) {
  if (Remaining() < n) return Short(n);
  m_pos += n;
  return Ok();
}

Result<uint64_t> ByteReader::CompactSize(uint64_t max) {
  const std::size_t start = m_pos;
  BS_TRY(uint8_t first, U8());
  uint64_t v = first;
  uint64_t min = 0;
  if (first == 0xfd) {
    auto r = U16LE();
    if (!r) { m_pos = start; return Fail(r.error()); }
    v = *r;
    min = 0xfd;
  } else if (first == 0xfe) {
    auto r = U32LE();
    if (!r) { m_pos = start; return Fail(r.error()); }
    v = *r;
    min = 0x10000;
  } else if (first == 0xff) {
    auto r = U64LE();
    if (!r) { m_pos = start; return Fail(r.error()); }
    v = *r;
    min = 0x100000000ULL;
  }
  if (v < min) {
    m_pos = start;
    return Fail(ErrorCode::Corruption, "non-canonical compact size at offset " + std::to_string(start));
  }
  if (v > max) {
    m_pos = start;
    return Fail(ErrorCode::TooLarge, "compact size " + std::to_string(v) + " exceeds limit " +
                                         std::to_string(max) + " at offset " + std::to_string(start));
  }
  return v;
}

Result<ByteView> ByteReader::VarBytes(uint64_t max) {
  const std::size_t start = m_pos;
  BS_TRY(uint64_t n, CompactSize(max));
  auto out = Take(n);
  if (!out) m_pos = start;
  return out;
}

void ByteWriter::CompactSize(uint64_t v) {
  if (v < 0xfd) {
    U8(static_cast<uint8_t>(v));
  } else if (v <= 0xffff) {
    U8(0xfd);
    U16LE(static_cast<uint16_t>(v));
  } else if (v <= 0xffffffff) {
    U8(0xfe);
    U32LE(static_cast<uint32_t>(v));
  } else {
    U8(0xff);
    U64LE(v);
  }
}

}  // namespace blockstack::util
