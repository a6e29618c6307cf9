#include <db/wal_checkpointer.h>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

namespace blockstack::db {

namespace {
// Background passes in one cycle at most, so that a writer that outruns the copy
// still gets the log restarted.
constexpr int MAX_PASSES = 8;
}  // namespace

util::Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(Sqlite* writer, const std::string& path,
                                                                      Limits limits) {
  BS_TRY(Sqlite own, Sqlite::Open(path, /*read_only=*/false));
  // A checkpoint copies frames from the log to the file without the page cache.
  BS_CHECK_OK(own.Exec("PRAGMA cache_size=16"));
  BS_CHECK_OK(own.Exec("PRAGMA wal_autocheckpoint=0"));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(own), limits, path));
  c->m_thread = std::thread([raw = c.get()] { raw->Run(); });
  sqlite3_wal_hook(writer->Handle(), &WalCheckpointer::OnCommit, c.get());
  return c;
}

WalCheckpointer::WalCheckpointer(Sqlite* writer, Sqlite own, Limits limits, const std::string& path)
    : m_writer(writer), m_own(std::move(own)), m_limits(limits), m_path(path), m_wal_path(path + "-wal") {}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(m_writer->Handle(), nullptr, nullptr);
  {
    std::lock_guard lock(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

WalCheckpointer::Counters WalCheckpointer::Stats() const {
  std::lock_guard lock(m_mu);
  return m_counters;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* /*schema*/, int frames) {
  auto* c = static_cast<WalCheckpointer*>(self);
  bool finish = frames >= c->m_limits.finish_frames;
  {
    std::lock_guard lock(c->m_mu);
    if (frames < c->m_last_frames) c->m_cycle = Cycle::Idle;  // the log started over
    c->m_last_frames = frames;
    if (c->m_cycle == Cycle::Idle && frames >= c->m_limits.start_frames) {
      c->m_cycle = Cycle::Copying;
      c->m_wanted = true;
      c->m_cv.notify_one();
    } else if (c->m_cycle == Cycle::Copied) {
      finish = true;
    }
  }
  if (finish) {
    // What the thread copied is in the file; copying the frames appended since
    // lets the next transaction restart the log.
    {
      std::lock_guard run(c->m_run_mu);
      c->Checkpoint(db, &Counters::writer);
    }
    // One finishing copy per cycle: when a reader keeps the log from restarting,
    // the next cycle starts from the thread again rather than after every commit.
    std::lock_guard lock(c->m_mu);
    if (c->m_cycle == Cycle::Copied) c->m_cycle = Cycle::Idle;
  }
  // The commit has happened whatever the checkpoint did; as with SQLite's own
  // automatic checkpoint, a failed one is retried after a later commit.
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  while (true) {
    {
      std::unique_lock lock(m_mu);
      m_cv.wait(lock, [&] { return m_wanted || m_stop; });
      if (m_stop) return;
      m_wanted = false;
    }
    // Passes until little is left for the writer: each copies what the writer
    // appended during the one before.
    // A pass that could not run, or copied nothing new, means a reader holds the
    // log back: the writer would find as much left, so the cycle ends here and a
    // later commit starts the next one.
    bool stuck = false;
    int copied_before = -1;
    for (int pass = 0; pass < MAX_PASSES; ++pass) {
      std::lock_guard run(m_run_mu);
      Progress p = Checkpoint(m_own.Handle(), &Counters::background);
      stuck = !p.ran || p.copied == copied_before;
      if (stuck || p.log - p.copied <= m_limits.start_frames / 16) break;
      copied_before = p.copied;
    }
    // The writer's checkpoint syncs the log before it copies and the database
    // after. A pass that the writer's commits overtook syncs neither (SQLite syncs
    // the database only when a pass reaches the log's end), so both are flushed
    // here, and the writer finds little left to wait for.
    for (const std::string* file : {&m_wal_path, &m_path}) {
      if (int fd = ::open(file->c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        (void)::fdatasync(fd);
        ::close(fd);
      }
    }
    std::lock_guard lock(m_mu);
    if (m_cycle == Cycle::Copying) m_cycle = stuck ? Cycle::Idle : Cycle::Copied;
  }
}

WalCheckpointer::Progress WalCheckpointer::Checkpoint(sqlite3* db, uint64_t Counters::*counter) {
  Progress p;
  int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &p.log, &p.copied);
  std::lock_guard lock(m_mu);
  if (rc == SQLITE_OK) {
    ++(m_counters.*counter);
    p.ran = true;
    return p;
  }
  if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
    ++m_counters.failed;
    spdlog::warn("WAL checkpoint failed: {}", sqlite3_errstr(rc));
  }
  return {};
}

}  // namespace blockstack::db
