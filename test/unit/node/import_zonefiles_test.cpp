// Importing another node's zone-file directory: both layouts, and every file that
// must be left out (wrong bytes, never announced, too large, links, stray names).
#include <node/import_zonefiles.h>

#include <gtest/gtest.h>

#include <atlas/frames.h>
#include <testutil/vectors.h>
#include <zonefile/zonefile.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace blockstack::node {
namespace {

namespace fs = std::filesystem;

class FakeIndex : public interfaces::ZonefileIndex {
 public:
  std::vector<interfaces::ZonefileSlot> slots;
  util::Result<std::vector<interfaces::ZonefileSlot>> SlotsFrom(uint32_t) override { return slots; }
  util::Result<uint64_t> SlotCountBelow(uint32_t) override { return 0; }
  util::Result<std::optional<uint32_t>> LastBlock() override { return std::optional<uint32_t>{}; }
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t) override { return std::optional<std::string>{}; }
};

std::string Zonefile(const std::string& name) {
  return zonefile::MakeZonefile(name, {"https://hub.example/" + name + "/profile.json"});
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testutil::MakeTempDir("import");
    m_from = m_dir + "/zonefiles";
    auto store = atlas::ZonefileStore::Open(m_dir + "/zonefiles.db");
    ASSERT_TRUE(store) << store.error().message;
    m_store = std::move(*store);
  }
  void TearDown() override {
    m_store.reset();
    fs::remove_all(m_dir);
  }
  void Announce(const std::string& hash) { m_index.slots.push_back({"x.id", hash, "tx", 1, 0}); }
  void Write(const std::string& relative, const std::string& bytes) {
    fs::path p = fs::path(m_from) / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }

  std::string m_dir, m_from;
  FakeIndex m_index;
  std::unique_ptr<atlas::ZonefileStore> m_store;
};

TEST(HashFromStoragePath, BothLayoutsAndNothingElse) {
  const std::string h = "c5f5b4a0aa9dbf0e8f8d0a8b6b4f3c3d2e1f0a9b";
  EXPECT_EQ(HashFromStoragePath(zonefile::StoragePath(h)), h);
  EXPECT_EQ(HashFromStoragePath(zonefile::LegacyStoragePath(h)), h);
  EXPECT_EQ(HashFromStoragePath(h + ".txt"), h);  // a flat directory too: the bytes are checked anyway
  std::string upper = h;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(HashFromStoragePath("C5/F5/" + upper + ".txt"), h);
  EXPECT_FALSE(HashFromStoragePath(h));
  EXPECT_FALSE(HashFromStoragePath(h.substr(1) + ".txt"));
  EXPECT_FALSE(HashFromStoragePath("c5/f5/zonefile.txt"));
  EXPECT_FALSE(HashFromStoragePath("zz/" + zonefile::LegacyStoragePath(h).substr(3)));
  EXPECT_FALSE(HashFromStoragePath(""));
  EXPECT_FALSE(HashFromStoragePath("/"));
}

TEST_F(ImportTest, StoresWhatIsAnnouncedAndHashesToItsName) {
  const std::string a = Zonefile("alice.id"), b = Zonefile("bob.id"), c = Zonefile("carol.id"), d = Zonefile("dave.id");
  const std::string ha = atlas::ZonefileHash(a), hb = atlas::ZonefileHash(b), hc = atlas::ZonefileHash(c),
                    hd = atlas::ZonefileHash(d);
  Announce(ha);
  Announce(hb);
  Announce(hd);
  Write(zonefile::StoragePath(ha), a);        // current layout
  Write(zonefile::LegacyStoragePath(hb), b);  // legacy layout
  Write(zonefile::StoragePath(hc), c);        // never announced
  Write(zonefile::StoragePath(hd), a);        // announced, but the bytes are another file's
  Write("notes/readme.md", "not a zone file");
  const std::string big(zonefile::MAX_ZONEFILE_BYTES + 1, 'x');
  const std::string hbig = atlas::ZonefileHash(big);
  Announce(hbig);
  Write(zonefile::StoragePath(hbig), big);
  // A link to a file outside is not followed, even when it would pass.
  Write("../outside/" + hd + ".txt", d);
  fs::create_symlink(fs::path(m_dir) / "outside" / (hd + ".txt"), fs::path(m_from) / (hd + ".txt"));

  auto sum = ImportZonefiles(m_from, m_index, *m_store);
  ASSERT_TRUE(sum) << sum.error().message;
  EXPECT_EQ(sum->files, 6u);
  EXPECT_EQ(sum->stored, 2u);
  EXPECT_EQ(sum->already, 0u);
  EXPECT_EQ(sum->unannounced, 1u);
  EXPECT_EQ(sum->mismatched, 1u);
  EXPECT_EQ(sum->too_large, 1u);
  EXPECT_EQ(sum->ignored, 2u);  // the stray file and the link
  EXPECT_EQ(*m_store->Get(ha), a);
  EXPECT_EQ(*m_store->Get(hb), b);
  for (const auto& h : {hc, hd, hbig}) EXPECT_FALSE(*m_store->Has(h)) << h;

  // Again: nothing new, nothing lost.
  auto again = ImportZonefiles(m_from, m_index, *m_store);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->stored, 0u);
  EXPECT_EQ(again->already, 2u);
  EXPECT_EQ(*m_store->Count(), 2u);
}

TEST_F(ImportTest, ManyFilesInBatches) {
  for (int i = 0; i < 250; ++i) {
    const std::string z = Zonefile("n" + std::to_string(i) + ".id");
    const std::string h = atlas::ZonefileHash(z);
    Announce(h);
    Write(zonefile::StoragePath(h), z);
  }
  auto sum = ImportZonefiles(m_from, m_index, *m_store);
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->stored, 250u);
  EXPECT_EQ(*m_store->Count(), 250u);
}

TEST_F(ImportTest, AMissingDirectoryIsAnError) {
  auto sum = ImportZonefiles(m_dir + "/nowhere", m_index, *m_store);
  ASSERT_FALSE(sum);
  EXPECT_EQ(sum.error().code, util::ErrorCode::IoError);
}

}  // namespace
}  // namespace blockstack::node
