#include <db/wal_write_gather.h>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace blockstack::db {
namespace {

constexpr int FRAME_HEADER_BYTES = 24;
// Gathered bytes after which they are written even before the commit (a large
// transaction spilling pages).
constexpr std::size_t MAX_GATHERED = std::size_t{8} << 20;
// Bytes per write to the default VFS: the Unix one writes at most 128 KiB - 1 in
// a call (it masks the length to 17 bits) and reports the rest as a full disk.
constexpr std::size_t MAX_WRITE = std::size_t{64} << 10;

sqlite3_vfs* g_inner = nullptr;
sqlite3_vfs g_vfs{};
sqlite3_io_methods g_methods{};
const char* g_name = nullptr;
std::atomic<unsigned long long> g_gathered_commits{0};

// Bytes written to a log and not yet to its file: one contiguous run.
struct Gathered {
  std::vector<unsigned char> bytes;
  sqlite3_int64 offset = 0;
  bool commit_header = false;  // the last write was a commit frame's header
};

// Our file object; the default VFS's follows it in the same allocation.
struct File {
  sqlite3_file base;
  Gathered* log;  // nullptr unless the file is a write-ahead log
};
constexpr std::size_t INNER_OFFSET = (sizeof(File) + 15) & ~std::size_t{15};

File* Of(sqlite3_file* p) { return reinterpret_cast<File*>(p); }
sqlite3_file* Inner(sqlite3_file* p) { return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(p) + INNER_OFFSET); }
const sqlite3_io_methods& M(sqlite3_file* p) { return *Inner(p)->pMethods; }

// Writes what is gathered, if anything. The bytes are dropped whatever the result:
// a failed write fails the transaction, and SQLite rewrites what it needs.
int Flush(sqlite3_file* p) {
  Gathered* g = Of(p)->log;
  if (g == nullptr || g->bytes.empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < g->bytes.size() && rc == SQLITE_OK; done += MAX_WRITE) {
    const std::size_t n = std::min(MAX_WRITE, g->bytes.size() - done);
    rc = M(p).xWrite(Inner(p), g->bytes.data() + done, static_cast<int>(n), g->offset + static_cast<sqlite3_int64>(done));
  }
  g->bytes.clear();
  g->commit_header = false;
  return rc;
}

int Close(sqlite3_file* p) {
  int flushed = Flush(p);
  delete Of(p)->log;
  Of(p)->log = nullptr;
  int rc = M(p).xClose(Inner(p));
  return flushed != SQLITE_OK ? flushed : rc;
}

int Read(sqlite3_file* p, void* out, int n, sqlite3_int64 off) {
  if (Gathered* g = Of(p)->log; g != nullptr && !g->bytes.empty()) {
    const auto end = g->offset + static_cast<sqlite3_int64>(g->bytes.size());
    if (off < end && off + n > g->offset) {
      if (int rc = Flush(p); rc != SQLITE_OK) return rc;
    }
  }
  return M(p).xRead(Inner(p), out, n, off);
}

int Write(sqlite3_file* p, const void* data, int n, sqlite3_int64 off) {
  Gathered* g = Of(p)->log;
  if (g == nullptr) return M(p).xWrite(Inner(p), data, n, off);
  if (!g->bytes.empty() && off != g->offset + static_cast<sqlite3_int64>(g->bytes.size())) {
    if (int rc = Flush(p); rc != SQLITE_OK) return rc;
  }
  const auto* bytes = static_cast<const unsigned char*>(data);
  bool flush = false;
  try {
    if (g->bytes.empty()) g->offset = off;
    g->bytes.insert(g->bytes.end(), bytes, bytes + n);
  } catch (const std::bad_alloc&) {
    if (int rc = Flush(p); rc != SQLITE_OK) return rc;
    return M(p).xWrite(Inner(p), data, n, off);
  }
  if (n == FRAME_HEADER_BYTES) {
    // Bytes 4-7 of a frame header hold the database's size after a commit, and
    // zero in every other frame (the log header is 32 bytes, pages larger).
    g->commit_header = (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
  } else if (g->commit_header) {
    flush = true;  // the commit frame's page: the commit's last frame
    g_gathered_commits.fetch_add(1, std::memory_order_relaxed);
  }
  return flush || g->bytes.size() >= MAX_GATHERED ? Flush(p) : SQLITE_OK;
}

int Truncate(sqlite3_file* p, sqlite3_int64 size) {
  if (int rc = Flush(p); rc != SQLITE_OK) return rc;
  return M(p).xTruncate(Inner(p), size);
}

int Sync(sqlite3_file* p, int flags) {
  if (int rc = Flush(p); rc != SQLITE_OK) return rc;
  return M(p).xSync(Inner(p), flags);
}

int FileSize(sqlite3_file* p, sqlite3_int64* size) {
  if (int rc = Flush(p); rc != SQLITE_OK) return rc;
  return M(p).xFileSize(Inner(p), size);
}

int Lock(sqlite3_file* p, int level) { return M(p).xLock(Inner(p), level); }
int Unlock(sqlite3_file* p, int level) { return M(p).xUnlock(Inner(p), level); }
int CheckReservedLock(sqlite3_file* p, int* out) { return M(p).xCheckReservedLock(Inner(p), out); }

int FileControl(sqlite3_file* p, int op, void* arg) {
  if (int rc = Flush(p); rc != SQLITE_OK) return rc;
  return M(p).xFileControl(Inner(p), op, arg);
}

int SectorSize(sqlite3_file* p) { return M(p).xSectorSize(Inner(p)); }
int DeviceCharacteristics(sqlite3_file* p) { return M(p).xDeviceCharacteristics(Inner(p)); }
// Shared memory and mapping exist from version 2 and 3 of the methods on.
int ShmMap(sqlite3_file* p, int region, int size, int extend, void volatile** out) {
  return M(p).iVersion < 2 ? SQLITE_IOERR_SHMMAP : M(p).xShmMap(Inner(p), region, size, extend, out);
}
int ShmLock(sqlite3_file* p, int offset, int n, int flags) {
  return M(p).iVersion < 2 ? SQLITE_IOERR_SHMLOCK : M(p).xShmLock(Inner(p), offset, n, flags);
}
void ShmBarrier(sqlite3_file* p) {
  if (M(p).iVersion >= 2) M(p).xShmBarrier(Inner(p));
}
int ShmUnmap(sqlite3_file* p, int del) { return M(p).iVersion < 2 ? SQLITE_OK : M(p).xShmUnmap(Inner(p), del); }
int Fetch(sqlite3_file* p, sqlite3_int64 off, int n, void** out) {
  if (M(p).iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return M(p).xFetch(Inner(p), off, n, out);
}
int Unfetch(sqlite3_file* p, sqlite3_int64 off, void* page) {
  return M(p).iVersion < 3 ? SQLITE_OK : M(p).xUnfetch(Inner(p), off, page);
}

int Open(sqlite3_vfs* /*vfs*/, sqlite3_filename name, sqlite3_file* p, int flags, int* out_flags) {
  File* f = Of(p);
  f->base.pMethods = nullptr;
  f->log = nullptr;
  std::memset(Inner(p), 0, static_cast<std::size_t>(g_inner->szOsFile));
  int rc = g_inner->xOpen(g_inner, name, Inner(p), flags, out_flags);
  // SQLite closes a file whose methods are set even when opening failed.
  if (Inner(p)->pMethods != nullptr) f->base.pMethods = &g_methods;
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) f->log = new (std::nothrow) Gathered();
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_inner->xDelete(g_inner, name, sync_dir); }
int Access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_inner->xAccess(g_inner, name, flags, out); }
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_inner->xFullPathname(g_inner, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_inner->xDlOpen(g_inner, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_inner->xDlError(g_inner, n, out); }
void (*DlSym(sqlite3_vfs*, void* lib, const char* sym))(void) { return g_inner->xDlSym(g_inner, lib, sym); }
void DlClose(sqlite3_vfs*, void* lib) { g_inner->xDlClose(g_inner, lib); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_inner->xRandomness(g_inner, n, out); }
int Sleep(sqlite3_vfs*, int us) { return g_inner->xSleep(g_inner, us); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_inner->xCurrentTime(g_inner, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) {
  return g_inner->xGetLastError != nullptr ? g_inner->xGetLastError(g_inner, n, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) { return g_inner->xCurrentTimeInt64(g_inner, out); }
int SetSystemCall(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr ptr) {
  return g_inner->xSetSystemCall(g_inner, name, ptr);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs*, const char* name) { return g_inner->xGetSystemCall(g_inner, name); }
const char* NextSystemCall(sqlite3_vfs*, const char* name) { return g_inner->xNextSystemCall(g_inner, name); }

}  // namespace

const char* WalWriteGatherVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* inner = sqlite3_vfs_find(nullptr);
    if (inner == nullptr) return;
    g_inner = inner;
    g_vfs.iVersion = inner->iVersion < 3 ? inner->iVersion : 3;
    g_vfs.szOsFile = static_cast<int>(INNER_OFFSET) + inner->szOsFile;
    g_vfs.mxPathname = inner->mxPathname;
    g_vfs.zName = "blockstack-wal-gather";
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;
    g_vfs.xDlOpen = DlOpen;
    g_vfs.xDlError = DlError;
    g_vfs.xDlSym = DlSym;
    g_vfs.xDlClose = DlClose;
    g_vfs.xRandomness = Randomness;
    g_vfs.xSleep = Sleep;
    g_vfs.xCurrentTime = CurrentTime;
    g_vfs.xGetLastError = GetLastError;
    if (g_vfs.iVersion >= 2) g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    if (g_vfs.iVersion >= 3) {
      g_vfs.xSetSystemCall = SetSystemCall;
      g_vfs.xGetSystemCall = GetSystemCall;
      g_vfs.xNextSystemCall = NextSystemCall;
    }
    g_methods = {3,         Close,      Read,       Write,         Truncate,     Sync,     FileSize,
                 Lock,      Unlock,     CheckReservedLock, FileControl, SectorSize, DeviceCharacteristics,
                 ShmMap,    ShmLock,    ShmBarrier, ShmUnmap,      Fetch,        Unfetch};
    if (sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) == SQLITE_OK) g_name = g_vfs.zName;
  });
  return g_name;
}

unsigned long long WalGatheredCommits() { return g_gathered_commits.load(std::memory_order_relaxed); }

}  // namespace blockstack::db
