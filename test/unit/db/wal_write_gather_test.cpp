// The VFS that gathers a log's writes until the commit. What must hold: commits
// are gathered; another connection sees every commit as soon as COMMIT returns
// (the bytes are in the file before SQLite publishes it); a transaction larger
// than the buffer, a rollback and a checkpoint leave the right data; and a
// process killed right after its commits loses none of them.
#include <db/wal_write_gather.h>

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <random>

#include <sys/wait.h>
#include <unistd.h>

#include <db/sqlite.h>

#include "db_test_util.h"
#include "testutil/vectors.h"

namespace blockstack::db {
namespace {

class WalWriteGatherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testutil::MakeTempDir("wal-gather");
    m_path = m_dir + "/t.db";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  Sqlite Open(bool read_only = false) {
    auto db = Sqlite::Open(m_path, read_only);
    EXPECT_TRUE(db) << (db ? "" : db.error().message);
    return std::move(*db);
  }

  // Inserts `rows` rows with random keys and 500-byte values; no transaction of its own.
  static bool Insert(Sqlite& db, std::mt19937_64& rng, int rows) {
    auto s = db.Prepare("INSERT INTO t(k, v) VALUES(?, ?)");
    if (!s) return false;
    for (int i = 0; i < rows; ++i) {
      if (!(*s)->Bind(1, std::to_string(rng())).Bind(2, std::string(500, static_cast<char>('a' + i % 26))).Run()) {
        return false;
      }
    }
    return true;
  }

  static int64_t Rows(Sqlite& db) { return test_util::CountRows(db, 500); }

  std::string m_dir;
  std::string m_path;
  std::mt19937_64 m_rng{11};
};

TEST_F(WalWriteGatherTest, EveryCommitIsVisibleToAnotherConnectionAtOnce) {
  ASSERT_NE(WalWriteGatherVfs(), nullptr);
  Sqlite writer = Open();
  ASSERT_TRUE(writer.Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t(v, k)"));
  Sqlite reader = Open(/*read_only=*/true);
  const auto before = WalGatheredCommits();
  int64_t rows = 0;
  for (int block = 0; block < 60; ++block) {
    ASSERT_TRUE(writer.Exec("BEGIN IMMEDIATE"));
    ASSERT_TRUE(Insert(writer, m_rng, 40));
    ASSERT_TRUE(writer.Exec("COMMIT"));
    rows += 40;
    ASSERT_EQ(Rows(reader), rows) << "block " << block;
  }
  EXPECT_GE(WalGatheredCommits() - before, 60u);
  EXPECT_EQ(test_util::IntegrityCheck(reader), "ok");
}

TEST_F(WalWriteGatherTest, LargeTransactionsRollbacksAndCheckpointsKeepTheData) {
  Sqlite writer = Open();
  ASSERT_TRUE(writer.Exec("PRAGMA cache_size=200"));  // spills pages mid-transaction
  ASSERT_TRUE(writer.Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)"));
  // About 12 MB in one transaction: more than the buffer holds before the commit.
  ASSERT_TRUE(writer.Exec("BEGIN IMMEDIATE"));
  ASSERT_TRUE(Insert(writer, m_rng, 20000));
  ASSERT_TRUE(writer.Exec("COMMIT"));
  // A rolled-back transaction, also spilled, leaves nothing.
  ASSERT_TRUE(writer.Exec("BEGIN IMMEDIATE"));
  ASSERT_TRUE(Insert(writer, m_rng, 5000));
  ASSERT_TRUE(writer.Exec("ROLLBACK"));
  ASSERT_TRUE(writer.Exec("BEGIN IMMEDIATE"));
  ASSERT_TRUE(Insert(writer, m_rng, 100));
  ASSERT_TRUE(writer.Exec("COMMIT"));
  ASSERT_TRUE(writer.Exec("PRAGMA wal_checkpoint(RESTART)"));
  // After the restart the log is written again from its start.
  ASSERT_TRUE(writer.Exec("BEGIN IMMEDIATE"));
  ASSERT_TRUE(Insert(writer, m_rng, 100));
  ASSERT_TRUE(writer.Exec("COMMIT"));
  Sqlite reader = Open(/*read_only=*/true);
  EXPECT_EQ(Rows(reader), 20200);
  EXPECT_EQ(test_util::IntegrityCheck(reader), "ok");
}

TEST_F(WalWriteGatherTest, AProcessKilledAfterItsCommitsLosesNone) {
  {
    Sqlite db = Open();
    ASSERT_TRUE(db.Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)"));
  }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Sqlite::Open(m_path, false);
    if (!db) _exit(2);
    for (int block = 0; block < 30; ++block) {
      if (!db->Exec("BEGIN IMMEDIATE") || !Insert(*db, m_rng, 30) || !db->Exec("COMMIT")) _exit(3);
    }
    raise(SIGKILL);  // no close, no checkpoint: only what each commit wrote survives
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  Sqlite db = Open();
  EXPECT_EQ(Rows(db), 900);
  EXPECT_EQ(test_util::IntegrityCheck(db), "ok");
}

}  // namespace
}  // namespace blockstack::db
