// The page-cache layer under every SQLite connection. What must hold: it is
// installed before the first connection; a commit that grew a small database
// through B-tree splits does not walk the cache (the truncation is answered by
// the layer); a rollback, a savepoint rollback and a VACUUM, which leave pages
// above the database's end, still reach SQLite's cache; and the data reads back
// whole and consistent after all of them.
#include <db/page_cache.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include <db/sqlite.h>

#include "db_test_util.h"
#include "testutil/vectors.h"

namespace blockstack::db {
namespace {

class PageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testutil::MakeTempDir("page-cache"); }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  Sqlite Open() {
    auto db = Sqlite::Open(m_dir + "/t.db", /*read_only=*/false);
    EXPECT_TRUE(db) << (db ? "" : db.error().message);
    return std::move(*db);
  }

  // Inserts n rows with random keys (so index pages split out of order).
  void Insert(Sqlite& db, int n) {
    auto s = db.Prepare("INSERT INTO t(k, v) VALUES(?, ?)");
    ASSERT_TRUE(s);
    for (int i = 0; i < n; ++i) {
      std::string key = std::to_string(m_rng()) + "-" + std::to_string(m_rng());
      ASSERT_TRUE((*s)->Bind(1, key).Bind(2, std::string(200, static_cast<char>('a' + i % 26))).Run());
      ++m_rows;
    }
  }

  static int64_t Count(Sqlite& db) { return test_util::CountRows(db, 200); }

  std::string m_dir;
  std::mt19937_64 m_rng{7};
  int64_t m_rows = 0;
};

TEST_F(PageCacheTest, CommitsSkipTheWalkAndRollbacksStillTruncate) {
  Sqlite db = Open();
  ASSERT_TRUE(PageCacheInstalled());
  ASSERT_TRUE(db.Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t(v, k)"));

  const PageCacheCounters before = PageCacheStats();
  for (int block = 0; block < 50; ++block) {
    ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE"));
    Insert(db, 60);
    ASSERT_TRUE(db.Exec("COMMIT"));
  }
  const PageCacheCounters after_commits = PageCacheStats();
  // Every commit truncates the cache at the database's end; none had a page above it.
  EXPECT_GE(after_commits.skipped - before.skipped, 50u);
  EXPECT_EQ(Count(db), m_rows);

  // A transaction that grows the file and is rolled back leaves pages above the
  // restored end: SQLite's cache must drop them.
  const int64_t committed = m_rows;
  ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE"));
  Insert(db, 2000);
  ASSERT_TRUE(db.Exec("ROLLBACK"));
  m_rows = committed;
  const PageCacheCounters after_rollback = PageCacheStats();
  EXPECT_GT(after_rollback.passed, after_commits.passed);
  EXPECT_EQ(Count(db), committed);

  // The same through a savepoint inside a committed transaction.
  ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE"));
  Insert(db, 100);
  const int64_t kept = m_rows;
  ASSERT_TRUE(db.Exec("SAVEPOINT s"));
  Insert(db, 2000);
  ASSERT_TRUE(db.Exec("ROLLBACK TO s"));
  ASSERT_TRUE(db.Exec("RELEASE s"));
  m_rows = kept;
  Insert(db, 100);
  ASSERT_TRUE(db.Exec("COMMIT"));
  EXPECT_EQ(Count(db), m_rows);

  // Deleting most rows and vacuuming shrinks the file under a warm cache.
  ASSERT_TRUE(db.Exec("DELETE FROM t WHERE rowid % 4 != 0"));
  ASSERT_TRUE(db.Exec("VACUUM"));
  const int64_t left = Count(db);
  EXPECT_GT(left, 0);
  ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE"));
  Insert(db, 500);
  ASSERT_TRUE(db.Exec("COMMIT"));
  EXPECT_EQ(Count(db), left + 500);
  EXPECT_EQ(test_util::IntegrityCheck(db), "ok");

  // A second connection, which has never cached any of it, reads the same.
  Sqlite other = Open();
  EXPECT_EQ(Count(other), left + 500);
  EXPECT_EQ(test_util::IntegrityCheck(other), "ok");
}

}  // namespace
}  // namespace blockstack::db
