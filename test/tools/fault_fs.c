// A preloaded library (LD_PRELOAD) that watches and breaks a program's file
// system calls, for the tests of durability and full-disk handling:
//   FAULT_FS_LOG=FILE        appends "rename FROM TO", "fsync PATH" and
//                            "unlink PATH" for every such call that succeeds
//   FAULT_FS_ROOT=DIR        only calls on paths under DIR are logged or failed
//   FAULT_FS_FULL=FLAGFILE   while FLAGFILE exists, writes to files under DIR
//                            fail with ENOSPC (a full disk)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int Under(const char* path) {
  const char* root = getenv("FAULT_FS_ROOT");
  if (!root || !*root) return 1;
  return strncmp(path, root, strlen(root)) == 0;
}

static int FdPath(int fd, char* out, size_t size) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, size - 1);
  if (n < 0) return 0;
  out[n] = 0;
  return 1;
}

static void Log(const char* what, const char* a, const char* b) {
  const char* file = getenv("FAULT_FS_LOG");
  if (!file || !*file || !Under(a)) return;
  char line[2 * PATH_MAX + 32];
  int n = snprintf(line, sizeof line, "%s %s%s%s\n", what, a, b ? " " : "", b ? b : "");
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (n > 0) {
    ssize_t ignored = ((ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write"))(fd, line, (size_t)n);
    (void)ignored;
  }
  close(fd);
}

static int Full(int fd) {
  const char* flag = getenv("FAULT_FS_FULL");
  if (!flag || !*flag || access(flag, F_OK) != 0) return 0;
  char path[PATH_MAX];
  return FdPath(fd, path, sizeof path) && Under(path) && strncmp(path, "/proc", 5) != 0 &&
         strncmp(path, "socket:", 7) != 0 && strncmp(path, "pipe:", 5) != 0 && path[0] == '/';
}

ssize_t write(int fd, const void* buf, size_t count) {
  static ssize_t (*real)(int, const void*, size_t);
  if (!real) real = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  if (count > 0 && Full(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count);
}

int rename(const char* from, const char* to) {
  static int (*real)(const char*, const char*);
  if (!real) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
  int r = real(from, to);
  if (r == 0) Log("rename", from, to);
  return r;
}

int unlink(const char* path) {
  static int (*real)(const char*);
  if (!real) real = (int (*)(const char*))dlsym(RTLD_NEXT, "unlink");
  int r = real(path);
  if (r == 0) Log("unlink", path, NULL);
  return r;
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int r = real(fd);
  char path[PATH_MAX];
  if (r == 0 && FdPath(fd, path, sizeof path)) Log("fsync", path, NULL);
  return r;
}
