// WAL checkpoints of one writing connection, moved to a thread of their own.
//
// Why: with SQLite's automatic checkpoint, the commit that pushes the WAL past its
// limit copies every page in the log into the database file and waits for two
// fsyncs before it returns. While indexing, that was a quarter of the writer's
// time (measured in doc/performance.md, Indexing). Here a second connection copies
// the log while the writer goes on committing; the writer only finishes the few
// frames appended meanwhile, so that the log can start over from its beginning.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <db/sqlite.h>
#include <util/result.h>

struct sqlite3;

namespace blockstack::db {

class WalCheckpointer {
 public:
  struct Limits {
    // Frames in the log at which the thread starts copying it. Once the thread is
    // done, the writer copies the frames appended meanwhile after its next commit,
    // so that its next transaction restarts the log.
    int start_frames = 4000;
    // Frames at which the writer does not wait for the thread's copy any more: it
    // waits for the thread to finish and copies the rest itself.
    int finish_frames = 10000;
  };
  struct Counters {
    uint64_t background = 0;  // checkpoints run by the thread
    uint64_t writer = 0;      // checkpoints finished by the writer
    uint64_t failed = 0;      // checkpoints that failed for another reason than a busy lock
  };

  // Opens a second connection to `path` (a WAL-mode database that `writer` writes)
  // and installs a commit hook on `writer` in place of its automatic checkpoint.
  // `writer` must outlive the checkpointer and be used by one thread at a time;
  // the hook runs on that thread. Fails when the second connection cannot open.
  static util::Result<std::unique_ptr<WalCheckpointer>> Start(Sqlite* writer, const std::string& path, Limits limits);

  // Removes the hook, stops the thread (after the checkpoint it is running) and
  // closes its connection. The writer gets no automatic checkpoint afterwards.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  Counters Stats() const;

 private:
  WalCheckpointer(Sqlite* writer, Sqlite own, Limits limits, const std::string& path);
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void Run();
  // Frames in the log and frames copied into the database, after a checkpoint.
  struct Progress {
    bool ran = false;  // false when the checkpoint did not run (a busy lock, an error)
    int log = 0;
    int copied = 0;
  };
  // One passive checkpoint of `db`; counts it in `counter` unless the lock was
  // busy. Returns its progress.
  Progress Checkpoint(sqlite3* db, uint64_t Counters::*counter);

  Sqlite* m_writer;
  Sqlite m_own;
  Limits m_limits;
  std::string m_path;
  std::string m_wal_path;
  std::mutex m_run_mu;  // held while either side checkpoints
  mutable std::mutex m_mu;
  std::condition_variable m_cv;
  // One cycle of the log: the thread copies it once, then the writer copies what
  // was appended meanwhile, after which the log starts over.
  enum class Cycle { Idle, Copying, Copied };
  Cycle m_cycle = Cycle::Idle;  // guarded by m_mu
  int m_last_frames = 0;        // guarded by m_mu: the log's length at the last commit
  bool m_wanted = false;        // guarded by m_mu
  bool m_stop = false;    // guarded by m_mu
  Counters m_counters;    // guarded by m_mu
  std::thread m_thread;
};

}  // namespace blockstack::db
