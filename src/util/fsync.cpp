#include <util/fsync.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace blockstack::util {

Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return Fail(ErrorCode::IoError, "cannot open " + path + " to sync it: " + std::strerror(errno));
  const bool ok = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return Fail(ErrorCode::IoError, "cannot sync " + path + ": " + std::strerror(err));
  return Ok();
}

void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return Fail(ErrorCode::IoError, "cannot write " + tmp);
  }
  if (auto st = SyncFile(tmp); !st) return st;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Fail(ErrorCode::IoError, "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  auto slash = path.rfind('/');
  SyncDirectory(slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash));
  return Ok();
}

}  // namespace blockstack::util
