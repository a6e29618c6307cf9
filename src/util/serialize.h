// Bounds-checked reading and appending of little/big-endian integers, compact-size
// integers and byte runs. Every read either succeeds or returns an Error and leaves
// the reader where it was; nothing reads past the end of its input.
#pragma once

#include <cstdint>
#include <string>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::util {

// The largest compact-size value accepted when it counts or sizes something
// (Bitcoin's MAX_SIZE, 32 MiB).
inline constexpr uint64_t MAX_COMPACT_SIZE = 0x02000000;

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : m_data(data) {}

  std::size_t Position() const { return m_pos; }
  std::size_t Remaining() const { return m_data.size() - m_pos; }
  bool AtEnd() const { return m_pos == m_data.size(); }
  ByteView Data() const { return m_data; }

  Result<uint8_t> U8();
  Result<uint16_t> U16LE();
  Result<uint32_t> U32LE();
  Result<uint64_t> U64LE();
  Result<int32_t> I32LE();
  Result<int64_t> I64LE();
  Result<uint16_t> U16BE();
  Result<uint32_t> U32BE();
  Result<uint64_t> U64BE();
  // Reads n bytes; the view points into the reader's input.
  Result<ByteView> Take(std::size_t n);
  template <std::size_t N>
  Result<FixedBytes<N>> Fixed() {
    auto v = Take(N);
    if (!v) return Fail(v.error());
    return FixedBytes<N>::FromView(*v);
  }
  // Bitcoin compact size. Fails on a non-minimal encoding or a value above max.
  Result<uint64_t> CompactSize(uint64_t max = MAX_COMPACT_SIZE);
  // A compact-size length followed by that many bytes.
  Result<ByteView> VarBytes(uint64_t max = MAX_COMPACT_SIZE);
  Status Skip(std::size_t n);

 private:
  Unexpected Short(std::size_t need) const;

  ByteView m_data;
  std::size_t m_pos = 0;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { m_out.reserve(reserve); }

  void U8(uint8_t v) { m_out.push_back(v); }
  void U16LE(uint16_t v) { PutLE(v, 2); }
  void U32LE(uint32_t v) { PutLE(v, 4); }
  void U64LE(uint64_t v) { PutLE(v, 8); }
  void I32LE(int32_t v) { PutLE(static_cast<uint32_t>(v), 4); }
  void I64LE(int64_t v) { PutLE(static_cast<uint64_t>(v), 8); }
  void U16BE(uint16_t v) { PutBE(v, 2); }
  void U32BE(uint32_t v) { PutBE(v, 4); }
  void U64BE(uint64_t v) { PutBE(v, 8); }
  void CompactSize(uint64_t v);
  void Append(ByteView b) { m_out.insert(m_out.end(), b.begin(), b.end()); }
  void VarBytes(ByteView b) {
    CompactSize(b.size());
    Append(b);
  }

  const Bytes& Data() const& { return m_out; }
  Bytes Take() && { return std::move(m_out); }
  std::size_t Size() const { return m_out.size(); }

 private:
  void PutLE(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) m_out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void PutBE(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) m_out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  Bytes m_out;
};

// The number of bytes CompactSize(v) writes.
inline std::size_t CompactSizeLength(uint64_t v) {
  return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;
}

}  // namespace blockstack::util
