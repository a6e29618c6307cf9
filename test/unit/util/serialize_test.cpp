#include <util/serialize.h>

#include <gtest/gtest.h>

namespace blockstack::util {
namespace {

TEST(ByteReaderTest, ReadsLittleAndBigEndian) {
  Bytes b{0x01, 0x02, 0x03, 0x04, 0x01, 0x02};
  ByteReader r(b);
  EXPECT_EQ(*r.U32LE(), 0x04030201u);
  EXPECT_EQ(*r.U16BE(), 0x0102u);
  EXPECT_TRUE(r.AtEnd());
}

TEST(ByteReaderTest, ShortReadFailsAndDoesNotAdvance) {
  Bytes b{0x01, 0x02, 0x03};
  ByteReader r(b);
  auto v = r.U32LE();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::Corruption);
  EXPECT_EQ(r.Position(), 0u);
  EXPECT_FALSE(r.Take(4));
  EXPECT_TRUE(r.Take(3));
}

TEST(ByteReaderTest, CompactSizeRoundTrip) {
  for (uint64_t v : {0ull, 1ull, 0xfcull, 0xfdull, 0xffffull, 0x10000ull, 0x1ffffffull}) {
    ByteWriter w;
    w.CompactSize(v);
    EXPECT_EQ(w.Size(), CompactSizeLength(v));
    ByteReader r(w.Data());
    auto got = r.CompactSize();
    ASSERT_TRUE(got) << v;
    EXPECT_EQ(*got, v);
  }
}

TEST(ByteReaderTest, CompactSizeRejectsNonCanonical) {
  Bytes b{0xfd, 0x10, 0x00};  // 16 written in 3 bytes
  ByteReader r(b);
  auto v = r.CompactSize();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::Corruption);
  EXPECT_EQ(r.Position(), 0u);
}

TEST(ByteReaderTest, CompactSizeRejectsOversized) {
  Bytes b{0xff, 0, 0, 0, 0, 1, 0, 0, 0};
  ByteReader r(b);
  auto v = r.CompactSize();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::TooLarge);
}

TEST(ByteReaderTest, VarBytesPastEndFails) {
  Bytes b{0x05, 0x01, 0x02};
  ByteReader r(b);
  EXPECT_FALSE(r.VarBytes());
  EXPECT_EQ(r.Position(), 0u);
}

TEST(ByteWriterTest, WritesBigEndian) {
  ByteWriter w;
  w.U64BE(0x0102030405060708ull);
  EXPECT_EQ(ToHex(w.Data()), "0102030405060708");
}

}  // namespace
}  // namespace blockstack::util
