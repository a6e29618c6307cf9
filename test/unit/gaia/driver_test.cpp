// The driver contract (spec gaia.md §3), run against the memory and disk drivers.
#include <gaia/driver.h>
#include <gaia/drivers/disk_driver.h>

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <set>

#include <crypto/hash.h>

#include "testutil/vectors.h"

namespace blockstack::gaia {
namespace {

class DriverTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      m_driver = MakeMemoryDriver();
    } else {
      m_dir = testutil::MakeTempDir("gaia-disk");
      auto d = MakeDiskDriver(m_dir);
      ASSERT_TRUE(d) << d.error().message;
      m_driver = std::move(*d);
    }
  }
  void TearDown() override {
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
  }
  std::string m_dir;
  std::unique_ptr<Driver> m_driver;
};

TEST_P(DriverTest, WriteReadStatDelete) {
  auto etag = m_driver->Write("1Abc", "dir/file.txt", "hello", "text/plain");
  ASSERT_TRUE(etag);
  EXPECT_EQ(*etag, util::ToHex(crypto::Md5(util::AsBytes("hello"))));
  auto read = m_driver->Read("1Abc", "dir/file.txt");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->data, "hello");
  EXPECT_EQ(read->stat.content_type, "text/plain");
  EXPECT_EQ(read->stat.etag, *etag);
  auto st = m_driver->Stat("1Abc", "dir/file.txt");
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->exists);
  EXPECT_EQ(st->content_length, 5u);
  EXPECT_GT(st->last_modified, 0);
  ASSERT_TRUE(m_driver->Delete("1Abc", "dir/file.txt"));
  EXPECT_FALSE(m_driver->Stat("1Abc", "dir/file.txt")->exists);
  auto again = m_driver->Delete("1Abc", "dir/file.txt");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, util::ErrorCode::NotFound);
  EXPECT_EQ(m_driver->Read("1Abc", "dir/file.txt").error().code, util::ErrorCode::NotFound);
}

TEST_P(DriverTest, OverwriteReplacesContentAndEtag) {
  auto first = m_driver->Write("1Abc", "f", "one", "text/plain");
  auto second = m_driver->Write("1Abc", "f", "two", "application/json");
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  auto read = m_driver->Read("1Abc", "f");
  EXPECT_EQ(read->data, "two");
  EXPECT_EQ(read->stat.content_type, "application/json");
}

TEST_P(DriverTest, RefusesTraversalPaths) {
  for (const char* bad : {"../x", "a/../../x", "a..b", "..", ""}) {
    auto r = m_driver->Write("1Abc", bad, "x", "text/plain");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, util::ErrorCode::InvalidArgument) << bad;
  }
}

TEST_P(DriverTest, RenameMovesAndReportsMissing) {
  ASSERT_TRUE(m_driver->Write("1Abc", "a/b", "data", "text/plain"));
  ASSERT_TRUE(m_driver->Rename("1Abc", "a/b", "a/.history.1.x.b"));
  EXPECT_FALSE(m_driver->Stat("1Abc", "a/b")->exists);
  EXPECT_EQ(m_driver->Read("1Abc", "a/.history.1.x.b")->data, "data");
  EXPECT_EQ(m_driver->Rename("1Abc", "a/b", "c").error().code, util::ErrorCode::NotFound);
}

TEST_P(DriverTest, ListsEveryFileAcrossPagesOnlyInItsBucket) {
  std::set<std::string> written;
  for (int i = 0; i < 23; ++i) {
    std::string name = (i % 3 ? "dir/" : "") + std::to_string(i) + ".txt";
    ASSERT_TRUE(m_driver->Write("1Abc", name, "x", "text/plain"));
    written.insert(name);
  }
  ASSERT_TRUE(m_driver->Write("1Other", "not-mine", "x", "text/plain"));
  std::set<std::string> seen;
  std::optional<std::string> page;
  int pages = 0;
  do {
    auto p = m_driver->List("1Abc", page, 5, true, "");
    ASSERT_TRUE(p) << p.error().message;
    for (const auto& e : p->entries) {
      EXPECT_TRUE(seen.insert(e.name).second) << "listed twice: " << e.name;
      EXPECT_EQ(e.stat.content_length, 1u);
      EXPECT_FALSE(e.stat.etag.empty());
    }
    page = p->page;
    ++pages;
  } while (page && pages < 100);
  EXPECT_EQ(seen, written);
  EXPECT_EQ(pages, 5);

  // Only the paths under a prefix, across pages too.
  std::set<std::string> under;
  page.reset();
  pages = 0;
  do {
    auto p = m_driver->List("1Abc", page, 4, false, "dir/1");
    ASSERT_TRUE(p) << p.error().message;
    for (const auto& e : p->entries) {
      EXPECT_TRUE(e.name.starts_with("dir/1")) << e.name;
      under.insert(e.name);
    }
    page = p->page;
  } while (page && ++pages < 100);
  std::set<std::string> want;
  for (const auto& n : written) {
    if (n.starts_with("dir/1")) want.insert(n);
  }
  EXPECT_EQ(under, want);
  EXPECT_TRUE(m_driver->List("1Abc", std::nullopt, 5, false, "nothing/")->entries.empty());
}

INSTANTIATE_TEST_SUITE_P(Drivers, DriverTest, ::testing::Values("memory", "disk"));

// A disk driver over a fresh directory, removed afterwards.
class DiskDriverTest : public ::testing::Test {
 protected:
  void SetUp() override { dir = testutil::MakeTempDir("gaia-disk"); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  // Opens the driver over dir (tests may put files there first).
  Driver& Open() {
    auto made = MakeDiskDriver(dir);
    EXPECT_TRUE(made) << made.error().message;
    driver = std::move(*made);
    return *driver;
  }
  std::string dir;
  std::unique_ptr<Driver> driver;
};

TEST_F(DiskDriverTest, UsesTheOriginalLayoutAndAliasesSlashes) {
  Driver* d = &Open();
  ASSERT_TRUE(d->Write("1Abc", "/foo//bar", "x", "text/plain"));
  EXPECT_TRUE(std::filesystem::is_regular_file(dir + "/1Abc/foo/bar"));
  EXPECT_EQ(d->Read("1Abc", "foo/bar")->data, "x");
  // A path ending in '/' or naming a directory is refused.
  EXPECT_EQ(d->Write("1Abc", "foo/", "x", "t").error().code, util::ErrorCode::InvalidArgument);
  EXPECT_EQ(d->Write("1Abc", "foo", "x", "t").error().code, util::ErrorCode::InvalidArgument);
  EXPECT_EQ(d->Delete("1Abc", "foo").error().code, util::ErrorCode::NotFound);
  // Over 100 components or 4096 characters.
  std::string deep;
  for (int i = 0; i < 101; ++i) deep += "d/";
  EXPECT_EQ(d->Write("1Abc", deep + "f", "x", "t").error().code, util::ErrorCode::InvalidArgument);
  EXPECT_EQ(d->Write("1Abc", std::string(5000, 'a'), "x", "t").error().code, util::ErrorCode::InvalidArgument);
  // A malformed page token.
  EXPECT_EQ(d->List("1Abc", std::string("x1"), 10, false, "").error().code, util::ErrorCode::InvalidArgument);
}

// The hub serialises writes by object key: every alias of one file has the same
// key, and other files (or paths the driver refuses) keep keys of their own.
TEST_F(DiskDriverTest, AliasesOfOneFileShareItsObjectKey) {
  Driver& d = Open();
  const std::string key = d.ObjectKey("1Abc", "x");
  for (const char* alias : {"./x", "/x", "//x", "./././x"}) EXPECT_EQ(d.ObjectKey("1Abc", alias), key) << alias;
  EXPECT_EQ(d.ObjectKey("1Abc", "a/./b//c"), d.ObjectKey("1Abc", "a/b/c"));
  EXPECT_NE(d.ObjectKey("1Abc", "y"), key);
  EXPECT_NE(d.ObjectKey("2Abc", "x"), key);
  EXPECT_EQ(d.ObjectKey("1Abc", "../x"), "1Abc/../x");
  auto memory = MakeMemoryDriver();
  EXPECT_EQ(memory->ObjectKey("1Abc", "./x"), "1Abc/./x");
}

TEST_F(DiskDriverTest, ServesAnOriginalHubsStorageDirectory) {
  std::filesystem::create_directories(dir + "/1Abc/docs");
  std::filesystem::create_directories(dir + "/.gaia-metadata/1Abc/docs");
  std::ofstream(dir + "/1Abc/docs/a.json") << R"({"x":1})";
  std::ofstream(dir + "/.gaia-metadata/1Abc/docs/a.json") << R"({"content-type":"application/json","etag":"x"})";
  Driver* d = &Open();
  auto read = d->Read("1Abc", "docs/a.json");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->data, R"({"x":1})");
  EXPECT_EQ(read->stat.content_type, "application/json");
  EXPECT_EQ(read->stat.etag, util::ToHex(crypto::Md5(util::AsBytes(std::string(R"({"x":1})")))));
  // Overwriting through the hub drops the old metadata file, which would go stale.
  ASSERT_TRUE(d->Write("1Abc", "docs/a.json", "{}", "text/plain"));
  EXPECT_EQ(d->Read("1Abc", "docs/a.json")->stat.content_type, "text/plain");
}

TEST_F(DiskDriverTest, ReadCacheSeesChangesMadeOutsideTheHub) {
  Driver* d = &Open();
  ASSERT_TRUE(d->Write("1Abc", "f", "first", "text/plain"));
  EXPECT_EQ(d->Read("1Abc", "f")->data, "first");
  EXPECT_EQ(d->Read("1Abc", "f")->data, "first");  // from the cache
  ASSERT_TRUE(d->Write("1Abc", "f", "second", "text/plain"));
  EXPECT_EQ(d->Read("1Abc", "f")->data, "second");
  {
    std::ofstream out(dir + "/1Abc/f", std::ios::trunc);
    out << "edited!";
  }
  auto read = d->Read("1Abc", "f");
  EXPECT_EQ(read->data, "edited!");
  EXPECT_EQ(read->stat.etag, util::ToHex(crypto::Md5(util::AsBytes(std::string("edited!")))));
  EXPECT_EQ(d->Stat("1Abc", "f")->etag, read->stat.etag);
  ASSERT_TRUE(d->Delete("1Abc", "f"));
  EXPECT_EQ(d->Read("1Abc", "f").error().code, util::ErrorCode::NotFound);
}

TEST_F(DiskDriverTest, FailedWriteLeavesOldContent) {
  Driver* d = &Open();
  ASSERT_TRUE(d->Write("1Abc", "f", "old", "text/plain"));
  // Put a file where the temporary directory was: the next write cannot even start
  // (this holds for root too, unlike a permission change).
  std::filesystem::remove_all(dir + "/.gaia-tmp");
  std::ofstream(dir + "/.gaia-tmp") << "in the way";
  auto r = d->Write("1Abc", "f", "new", "text/plain");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::IoError);
  EXPECT_EQ(d->Read("1Abc", "f")->data, "old");
}

TEST_F(DiskDriverTest, WriteThatRunsOutOfSpaceLeavesOldContent) {
  Driver* d = &Open();
  ASSERT_TRUE(d->Write("1Abc", "f", "old", "text/plain"));
  // A file-size limit makes write() fail part-way (EFBIG), as a full disk does.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit small = saved;
  small.rlim_cur = 4096;
  setrlimit(RLIMIT_FSIZE, &small);
  auto r = d->Write("1Abc", "f", std::string(100000, 'n'), "text/plain");
  setrlimit(RLIMIT_FSIZE, &saved);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::IoError);
  EXPECT_EQ(d->Read("1Abc", "f")->data, "old");
  // Nothing is left behind in the temporary directory.
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/.gaia-tmp"));
}

}  // namespace
}  // namespace blockstack::gaia
