// Making finished files survive a crash: syncing a file's bytes and a directory's
// entries (after a rename into it).
#pragma once

#include <string>

#include <util/result.h>

namespace blockstack::util {

// Syncs the file at `path` to disk. Fails with IoError when it cannot be opened
// or synced.
Status SyncFile(const std::string& path);

// Syncs the directory's entries, so a rename into it survives a crash. Best
// effort: a directory that cannot be opened is left as it is.
void SyncDirectory(const std::string& dir);

}  // namespace blockstack::util
