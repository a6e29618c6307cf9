// The zone-file store: bytes in a pack file, a SQLite index of where each lies.
// What must hold: a stored file reads back exactly; what a crash or the disk cut
// or damaged reads as absent (and is dropped, so Atlas fetches it again), never as
// wrong bytes; two stores open on the same files do not write over each other; a
// store from before the pack is moved into one.
#include <atlas/zonefile_store.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include <db/sqlite.h>

#include "testutil/vectors.h"

namespace blockstack::atlas {
namespace {

std::string File(int i, std::size_t size = 300) {
  std::string z = "$ORIGIN n" + std::to_string(i) + ".test\n$TTL 3600\n";
  while (z.size() < size) z += "pad TXT \"" + std::to_string(i * 7919 + static_cast<int>(z.size())) + "\"\n";
  z.resize(size);  // exactly size bytes
  return z;
}

class ZonefileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testutil::MakeTempDir("zonefile-store");
    m_path = m_dir + "/zonefiles.db";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::unique_ptr<ZonefileStore> Open() {
    auto store = ZonefileStore::Open(m_path);
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    return store ? std::move(*store) : nullptr;
  }
  std::string m_dir, m_path;
};

TEST_F(ZonefileStoreTest, StoresOnceAndReadsBackAfterReopening) {
  const std::vector<std::string> files = {File(0), File(1), File(0), File(2, 40960)};
  {
    auto store = Open();
    EXPECT_EQ(store->PutMany(files).value(), std::vector<bool>({true, true, false, true}));
    EXPECT_EQ(store->PutMany({File(1)}).value(), std::vector<bool>({false}));
    EXPECT_EQ(store->Count().value(), 3u);
  }
  auto store = Open();
  EXPECT_EQ(store->Count().value(), 3u);
  for (const auto& f : files) {
    EXPECT_TRUE(store->Has(ZonefileHash(f)).value());
    EXPECT_EQ(store->Get(ZonefileHash(f)).value(), f);
  }
  auto hashes = store->Hashes().value();
  std::sort(hashes.begin(), hashes.end());
  std::vector<std::string> want = {ZonefileHash(files[0]), ZonefileHash(files[1]), ZonefileHash(files[3])};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(hashes, want);
  // Exactly the three files' bytes are in the pack.
  EXPECT_EQ(std::filesystem::file_size(ZonefileStore::PackPath(m_path)),
            files[0].size() + files[1].size() + files[3].size());
}

TEST_F(ZonefileStoreTest, RefusesOversizedFilesAndOddHashes) {
  auto store = Open();
  auto big = store->PutMany({File(0), std::string(MAX_ZONEFILE_BYTES + 1, 'x')});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, util::ErrorCode::TooLarge);
  EXPECT_EQ(store->Count().value(), 0u);  // nothing of the batch was stored
  const std::vector<std::string> files = {File(0)};
  std::string upper_hex = ZonefileHash(files[0]);
  for (char& c : upper_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> upper = {upper_hex};
  EXPECT_FALSE(store->PutMany(files, &upper));
  ASSERT_TRUE(store->PutMany(files));
  // Only the lowercase hex form names a file; anything else is simply absent.
  for (const std::string& odd :
       {upper[0], ZonefileHash(files[0]).substr(2), std::string("zz") + ZonefileHash(files[0]).substr(2), std::string(),
        std::string(400, 'a')}) {
    EXPECT_FALSE(store->Get(odd).value()) << odd;
    EXPECT_FALSE(store->Has(odd).value()) << odd;
  }
  EXPECT_EQ(store->Get(ZonefileHash(files[0])).value(), files[0]);
}

// A crash after the index committed but before the pack's bytes reached the disk
// leaves a pack shorter than the index says: those files are dropped on opening.
TEST_F(ZonefileStoreTest, FilesPastACutPackAreDroppedWhenOpened) {
  const std::vector<std::string> files = {File(0), File(1), File(2)};
  {
    auto store = Open();
    ASSERT_TRUE(store->PutMany(files));
  }
  std::filesystem::resize_file(ZonefileStore::PackPath(m_path), files[0].size() + files[1].size() / 2);
  auto store = Open();
  EXPECT_EQ(store->Count().value(), 1u);
  EXPECT_EQ(store->Get(ZonefileHash(files[0])).value(), files[0]);
  EXPECT_FALSE(store->Get(ZonefileHash(files[1])).value());
  EXPECT_FALSE(store->Has(ZonefileHash(files[2])).value());
  // Fetched again, they are stored again after what is left.
  EXPECT_EQ(store->PutMany(files).value(), std::vector<bool>({false, true, true}));
  for (const auto& f : files) EXPECT_EQ(store->Get(ZonefileHash(f)).value(), f);
}

TEST_F(ZonefileStoreTest, DamagedBytesReadAsAbsentAndAreDropped) {
  const std::vector<std::string> files = {File(0), File(1)};
  auto store = Open();
  ASSERT_TRUE(store->PutMany(files));
  {
    std::fstream pack(ZonefileStore::PackPath(m_path), std::ios::in | std::ios::out | std::ios::binary);
    pack.seekp(static_cast<std::streamoff>(files[0].size() + 10));
    pack.put('#');
  }
  EXPECT_EQ(store->Get(ZonefileHash(files[0])).value(), files[0]);
  EXPECT_FALSE(store->Get(ZonefileHash(files[1])).value());
  EXPECT_FALSE(store->Has(ZonefileHash(files[1])).value());
  EXPECT_EQ(store->Count().value(), 1u);
  EXPECT_EQ(store->Put(files[1]).value(), true);
  EXPECT_EQ(store->Get(ZonefileHash(files[1])).value(), files[1]);
}

// Two stores on the same files (two processes, say) take turns through the
// index's write lock: neither writes over the other's bytes.
TEST_F(ZonefileStoreTest, TwoStoresOnTheSameFilesDoNotOverwriteEachOther) {
  auto a = Open();
  auto b = Open();
  std::vector<std::string> all;
  for (int i = 0; i < 20; ++i) {
    all.push_back(File(i, 200 + static_cast<std::size_t>(i) * 37));
    ASSERT_TRUE((i % 2 ? a : b)->Put(all.back()));
  }
  for (auto* store : {a.get(), b.get()}) {
    EXPECT_EQ(store->Count().value(), all.size());
    for (const auto& f : all) EXPECT_EQ(store->Get(ZonefileHash(f)).value(), f);
  }
}

// Earlier versions kept the bytes in a SQLite table: opening moves them into the
// pack, leaving out any whose bytes no longer match their hash.
TEST_F(ZonefileStoreTest, MovesAnEarlierTableIntoThePack) {
  std::vector<std::string> files;
  {
    auto db = db::Sqlite::Open(m_path, false).value();
    ASSERT_TRUE(db.Exec("CREATE TABLE zonefiles(hash TEXT PRIMARY KEY, data BLOB NOT NULL)"));
    for (int i = 0; i < 2500; ++i) {
      files.push_back(File(i));
      auto* st = db.Prepare("INSERT INTO zonefiles(hash, data) VALUES(?, ?)").value();
      ASSERT_TRUE(st->Bind(1, ZonefileHash(files.back())).BindBlob(2, util::AsBytes(files.back())).Run());
    }
    auto* bad = db.Prepare("INSERT INTO zonefiles(hash, data) VALUES(?, ?)").value();
    ASSERT_TRUE(bad->Bind(1, ZonefileHash("other bytes")).BindBlob(2, util::AsBytes(std::string("bytes"))).Run());
  }
  {
    auto store = Open();
    EXPECT_EQ(store->Count().value(), files.size());
    for (const auto& f : files) ASSERT_EQ(store->Get(ZonefileHash(f)).value(), f);
    EXPECT_FALSE(store->Has(ZonefileHash("other bytes")).value());
  }
  auto db = db::Sqlite::Open(m_path, true).value();
  auto* table = db.Prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'zonefiles'").value();
  ASSERT_TRUE(table->Step().value());
  EXPECT_EQ(table->Int(0), 0);
  table->Reset();
  auto store = Open();  // opening again moves nothing twice
  EXPECT_EQ(std::filesystem::file_size(ZonefileStore::PackPath(m_path)), [&] {
    std::size_t n = 0;
    for (const auto& f : files) n += f.size();
    return n;
  }());
}

}  // namespace
}  // namespace blockstack::atlas
