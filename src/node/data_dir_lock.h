// One writer per data directory: blockstackd, restore and import-zonefiles hold
// an exclusive lock on DIR/.lock while they run (flock: released by the kernel
// when the process ends, however it ends). Read-only subcommands (query,
// snapshot) take no lock: they open the databases read-only.
#pragma once

#include <string>

#include <util/result.h>

namespace blockstack::node {

class DataDirLock {
 public:
  // Locks dir (which must exist) and writes this process's PID into the lock
  // file. Fails with Conflict, "data directory DIR in use by PID n", when
  // another holder has it; with IoError when the lock file cannot be opened.
  static util::Result<DataDirLock> Acquire(const std::string& dir);
  DataDirLock(DataDirLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

}  // namespace blockstack::node
