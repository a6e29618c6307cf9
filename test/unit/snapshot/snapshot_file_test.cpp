#include <snapshot/snapshot_file.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <crypto/hash.h>

namespace blockstack::snapshot {
namespace {

namespace fs = std::filesystem;

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("snapshot_file_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  static Header TestHeader(uint32_t first, uint32_t height) {
    Header h;
    h.network = "regtest";
    h.magic = "id";
    h.first_block = first;
    h.height = height;
    h.block_hash = std::string(64, 'b');
    h.consensus_hash = std::string(32, 'c');
    h.zonefiles = 2;
    return h;
  }

  static Block TestBlock(uint32_t height, std::size_t ops) {
    Block b;
    b.height = height;
    b.hash.data[0] = static_cast<uint8_t>(height);
    b.consensus_hash = std::string(30, '0') + (height % 2 ? "ab" : "cd");
    for (std::size_t i = 0; i < ops; ++i) {
      Operation op;
      op.vtxindex = static_cast<uint32_t>(i + 1);
      op.raw_tx = util::Bytes(100 + i, static_cast<uint8_t>(i));
      op.spent.push_back({util::Bytes(25, 0x76), 5000 + static_cast<int64_t>(i)});
      op.spent.push_back({util::Bytes(23, 0xa9), -1});
      b.ops.push_back(std::move(op));
    }
    return b;
  }

  // Writes blocks first..height with `ops` operations each and two zone files.
  std::string WriteSample(uint32_t first, uint32_t height) {
    std::string path = (m_dir / "sample.bss").string();
    auto w = Writer::Create(path, TestHeader(first, height));
    EXPECT_TRUE(w) << w.error().message;
    for (uint32_t h = first; h <= height; ++h) EXPECT_TRUE((*w)->AddBlock(TestBlock(h, h % 4)));
    for (std::string z : {"$ORIGIN a.id\n", "$ORIGIN b.id\n"}) {
      EXPECT_TRUE((*w)->AddZonefile(crypto::Hash160Of(util::AsBytes(z)).Hex(), z));
    }
    EXPECT_TRUE((*w)->Finish());
    return path;
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Reads every record; returns the first error's message, or "" when all is well.
  static std::string ReadAll(Reader& r, std::vector<Block>* blocks = nullptr, std::vector<Zonefile>* zonefiles = nullptr) {
    while (true) {
      auto rec = r.Next();
      if (!rec) return rec.error().message;
      if (auto* b = std::get_if<Block>(&*rec)) {
        if (blocks) blocks->push_back(*b);
      } else if (auto* z = std::get_if<Zonefile>(&*rec)) {
        if (zonefiles) zonefiles->push_back(*z);
      } else {
        return "";
      }
    }
  }

  fs::path m_dir;
};

TEST_F(SnapshotFileTest, RoundTripsHeaderBlocksAndZonefiles) {
  auto path = WriteSample(100, 140);
  EXPECT_FALSE(fs::exists(path + ".partial"));
  auto r = Reader::Open(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)->GetHeader().network, "regtest");
  EXPECT_EQ((*r)->GetHeader().first_block, 100u);
  EXPECT_EQ((*r)->GetHeader().height, 140u);
  EXPECT_EQ((*r)->GetHeader().consensus_hash, std::string(32, 'c'));
  EXPECT_EQ((*r)->GetHeader().zonefiles, 2u);
  std::vector<Block> blocks;
  std::vector<Zonefile> zonefiles;
  EXPECT_EQ(ReadAll(**r, &blocks, &zonefiles), "");
  ASSERT_EQ(blocks.size(), 41u);
  for (uint32_t i = 0; i < blocks.size(); ++i) {
    Block want = TestBlock(100 + i, (100 + i) % 4);
    EXPECT_EQ(blocks[i].height, want.height);
    EXPECT_EQ(blocks[i].hash, want.hash);
    EXPECT_EQ(blocks[i].consensus_hash, want.consensus_hash);
    ASSERT_EQ(blocks[i].ops.size(), want.ops.size());
    for (std::size_t k = 0; k < want.ops.size(); ++k) {
      EXPECT_EQ(blocks[i].ops[k].vtxindex, want.ops[k].vtxindex);
      EXPECT_EQ(blocks[i].ops[k].raw_tx, want.ops[k].raw_tx);
      ASSERT_EQ(blocks[i].ops[k].spent.size(), 2u);
      EXPECT_EQ(blocks[i].ops[k].spent[0].value, want.ops[k].spent[0].value);
      EXPECT_EQ(blocks[i].ops[k].spent[1].value, -1);
      EXPECT_EQ(blocks[i].ops[k].spent[1].script_pubkey, want.ops[k].spent[1].script_pubkey);
    }
  }
  ASSERT_EQ(zonefiles.size(), 2u);
  EXPECT_EQ(zonefiles[1].data, "$ORIGIN b.id\n");
  EXPECT_EQ(zonefiles[1].hash, crypto::Hash160Of(util::AsBytes(std::string("$ORIGIN b.id\n"))).Hex());
  // After the end the reader keeps answering with the counts.
  auto again = (*r)->Next();
  ASSERT_TRUE(again);
  EXPECT_EQ(std::get<Counts>(*again).blocks, 41u);
}

TEST_F(SnapshotFileTest, WriterRefusesBlocksOutOfOrderOrShort) {
  std::string path = (m_dir / "bad.bss").string();
  {
    auto w = Writer::Create(path, TestHeader(10, 12));
    ASSERT_TRUE(w);
    EXPECT_FALSE((*w)->AddBlock(TestBlock(11, 1)));  // must start at 10
    EXPECT_TRUE((*w)->AddBlock(TestBlock(10, 1)));
    EXPECT_FALSE((*w)->AddBlock(TestBlock(12, 1)));  // skips 11
    EXPECT_TRUE((*w)->AddBlock(TestBlock(11, 1)));
    EXPECT_FALSE((*w)->Finish());                    // 12 missing
  }
  // An unfinished writer leaves nothing behind.
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST_F(SnapshotFileTest, TruncatedFileIsRefusedAtOpen) {
  std::string bytes = Slurp(WriteSample(1, 30));
  for (std::size_t cut : {bytes.size() - 1, bytes.size() - 48, bytes.size() / 2, std::size_t{10}, std::size_t{0}}) {
    auto r = Reader::FromBytes(bytes.substr(0, cut));
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_EQ(r.error().code, util::ErrorCode::Corruption);
  }
}

TEST_F(SnapshotFileTest, PartialWriteIsRefused) {
  // A writer killed before Finish leaves only the .partial file, which has no footer.
  std::string path = (m_dir / "killed.bss").string();
  auto w = Writer::Create(path, TestHeader(1, 5));
  ASSERT_TRUE(w);
  for (uint32_t h = 1; h <= 5; ++h) ASSERT_TRUE((*w)->AddBlock(TestBlock(h, 2)));
  fs::copy_file(path + ".partial", path);
  auto r = Reader::Open(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::Corruption);
  EXPECT_TRUE(r.error().message.find("too short") != std::string::npos ||
              r.error().message.find("no footer") != std::string::npos)
      << r.error().message;
}

TEST_F(SnapshotFileTest, FlippedByteFailsTheChecksum) {
  std::string bytes = Slurp(WriteSample(1, 30));
  bytes[bytes.size() / 2] ^= 0x01;
  auto r = Reader::FromBytes(bytes);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos);
}

TEST_F(SnapshotFileTest, NotASnapshotAndOtherVersionsAreRefused) {
  auto r = Reader::FromBytes(std::string(200, 'x'));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a snapshot"), std::string::npos);
  std::string bytes = Slurp(WriteSample(1, 3));
  bytes[6] = '\x02';
  r = Reader::FromBytes(bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::InvalidArgument);
}

TEST_F(SnapshotFileTest, DecodersRejectMalformedBodies) {
  util::Bytes body = EncodeBlock(TestBlock(7, 3));
  ASSERT_TRUE(DecodeBlock(body));
  for (std::size_t cut = 0; cut < body.size(); cut += 7) {
    EXPECT_FALSE(DecodeBlock(util::ByteView(body.data(), cut))) << cut;
  }
  util::Bytes longer = body;
  longer.push_back(0);
  EXPECT_FALSE(DecodeBlock(longer));
  // An operation count larger than the body could hold.
  util::Bytes lying(52, 0);
  lying.push_back(0xfe);
  for (int i = 0; i < 4; ++i) lying.push_back(0xff);
  EXPECT_FALSE(DecodeBlock(lying));
  EXPECT_FALSE(DecodeHeader(util::AsBytes(std::string("{}"))));
  EXPECT_FALSE(DecodeHeader(util::AsBytes(std::string("not json"))));
  EXPECT_FALSE(DecodeZonefile(util::Bytes(19, 0)));
  EXPECT_FALSE(DecodeCounts(util::Bytes(23, 0)));
}

TEST_F(SnapshotFileTest, ZonefileOverTheLimitIsRefusedByTheWriter) {
  std::string path = (m_dir / "big.bss").string();
  auto w = Writer::Create(path, TestHeader(1, 1));
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->AddBlock(TestBlock(1, 0)));
  std::string big(MAX_ZONEFILE_BYTES + 1, 'z');
  EXPECT_FALSE((*w)->AddZonefile(crypto::Hash160Of(util::AsBytes(big)).Hex(), big));
  EXPECT_FALSE((*w)->AddZonefile("xyz", "a"));
}

}  // namespace
}  // namespace blockstack::snapshot
