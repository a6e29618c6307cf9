// Checkpoints moved off the writer. What must hold: the writer's log is copied
// and restarted (it stays bounded while many commits go on), both the thread and
// the writer take part, nothing fails, every committed row reads back from
// another connection and from the file alone after the log is gone, and stopping
// the checkpointer (idle or busy) neither hangs nor loses a commit.
#include <db/wal_checkpointer.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <db/sqlite.h>

#include "db_test_util.h"
#include "testutil/vectors.h"

namespace blockstack::db {
namespace {

constexpr int FRAME_BYTES = 4096 + 24;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testutil::MakeTempDir("wal-checkpointer");
    m_path = m_dir + "/t.db";
    m_writer = Open();
    ASSERT_TRUE(m_writer->Exec("PRAGMA page_size=4096"));
    ASSERT_TRUE(m_writer->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)"));
  }
  void TearDown() override {
    m_writer.reset();
    std::filesystem::remove_all(m_dir);
  }

  std::unique_ptr<Sqlite> Open(bool read_only = false) {
    auto db = Sqlite::Open(m_path, read_only);
    EXPECT_TRUE(db) << (db ? "" : db.error().message);
    return std::make_unique<Sqlite>(std::move(*db));
  }

  // One transaction of `rows` rows with random keys (pages all over the B-tree).
  void Commit(int rows) {
    ASSERT_TRUE(m_writer->Exec("BEGIN IMMEDIATE"));
    auto s = m_writer->Prepare("INSERT INTO t(k, v) VALUES(?, ?)");
    ASSERT_TRUE(s);
    for (int i = 0; i < rows; ++i) {
      ASSERT_TRUE((*s)->Bind(1, std::to_string(m_rng()) + "/" + std::to_string(m_rows)).Bind(2, std::string(600, 'v')).Run());
      ++m_rows;
    }
    ASSERT_TRUE(m_writer->Exec("COMMIT"));
  }

  static int64_t Rows(Sqlite& db) { return test_util::CountRows(db, 600); }

  std::uintmax_t WalBytes() {
    std::error_code ec;
    auto n = std::filesystem::file_size(m_path + "-wal", ec);
    return ec ? 0 : n;
  }

  // The checkpoint sequence number in the log's header, which changes each time
  // the log starts over.
  uint32_t WalSequence() {
    std::ifstream in(m_path + "-wal", std::ios::binary);
    unsigned char header[16] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    EXPECT_TRUE(in) << "no log header";
    return uint32_t{header[12]} << 24 | uint32_t{header[13]} << 16 | uint32_t{header[14]} << 8 | header[15];
  }

  std::string m_dir;
  std::string m_path;
  std::unique_ptr<Sqlite> m_writer;
  std::mt19937_64 m_rng{7};
  int64_t m_rows = 0;
};

TEST_F(WalCheckpointerTest, CopiesAndRestartsTheLogWhileTheWriterCommits) {
  auto c = WalCheckpointer::Start(m_writer.get(), m_path, {.start_frames = 60, .finish_frames = 240});
  ASSERT_TRUE(c) << c.error().message;
  std::uintmax_t largest = 0;
  for (int i = 0; i < 400; ++i) {
    Commit(8);
    largest = std::max(largest, WalBytes());
  }
  auto stats = (*c)->Stats();
  EXPECT_GT(stats.background, 0u);
  EXPECT_GT(stats.writer, 0u);
  EXPECT_EQ(stats.failed, 0u);
  // 400 commits of several pages each are thousands of frames: without restarts
  // the log would hold them all. It never outgrows the finishing limit by more
  // than what commits add while the writer waits for its turn.
  EXPECT_LT(largest, static_cast<std::uintmax_t>(240 + 200) * FRAME_BYTES) << largest;
  auto reader = Open(/*read_only=*/true);
  EXPECT_EQ(Rows(*reader), m_rows);
  reader.reset();
  c->reset();
  m_writer.reset();  // the last connection: the rest of the log goes to the file
  EXPECT_EQ(WalBytes(), 0u);
  auto again = Open(/*read_only=*/true);
  EXPECT_EQ(Rows(*again), 3200);
  EXPECT_EQ(test_util::IntegrityCheck(*again), "ok");
}

TEST_F(WalCheckpointerTest, AReaderHoldingTheLogCostsTheWriterNoCheckpoints) {
  auto c = WalCheckpointer::Start(m_writer.get(), m_path, {.start_frames = 60, .finish_frames = 1000000});
  ASSERT_TRUE(c) << c.error().message;
  Commit(8);
  // A read transaction from here on keeps every later frame in the log.
  auto reader = Open(/*read_only=*/true);
  ASSERT_TRUE(reader->Exec("BEGIN"));
  const int64_t seen = Rows(*reader);
  // Commits go on until the thread has tried a few times (it runs when scheduled).
  for (int i = 0; i < 150 || ((*c)->Stats().background < 4 && i < 20000); ++i) Commit(8);
  auto pinned = (*c)->Stats();
  // The thread finds it cannot copy past the reader and ends its cycle there; the
  // writer, below its finishing limit, is never asked to checkpoint after a commit.
  EXPECT_GE(pinned.background, 4u);
  EXPECT_EQ(pinned.writer, 0u);
  EXPECT_EQ(Rows(*reader), seen);
  ASSERT_TRUE(reader->Exec("COMMIT"));
  reader.reset();
  // Released, the log is copied and then restarted: the writer finishes a cycle,
  // and the log's header shows a new checkpoint sequence number.
  const uint32_t sequence = WalSequence();
  for (int i = 0; (*c)->Stats().writer == 0 && i < 20000; ++i) Commit(8);
  Commit(8);
  EXPECT_GT((*c)->Stats().writer, 0u);
  EXPECT_EQ((*c)->Stats().failed, 0u);
  EXPECT_NE(WalSequence(), sequence);
  auto check = Open(/*read_only=*/true);
  EXPECT_EQ(Rows(*check), m_rows);
}

TEST_F(WalCheckpointerTest, StopsCleanlyIdleOrBusyAndTheWriterGoesOn) {
  {
    auto idle = WalCheckpointer::Start(m_writer.get(), m_path, {});
    ASSERT_TRUE(idle);
  }
  {
    // Limits low enough that the thread is copying when it is told to stop.
    auto busy = WalCheckpointer::Start(m_writer.get(), m_path, {.start_frames = 1, .finish_frames = 1000000});
    ASSERT_TRUE(busy);
    for (int i = 0; i < 50; ++i) Commit(8);
  }
  // No hook is left behind: commits after the stop still work.
  for (int i = 0; i < 5; ++i) Commit(8);
  auto reader = Open(/*read_only=*/true);
  EXPECT_EQ(Rows(*reader), m_rows);
}

}  // namespace
}  // namespace blockstack::db
