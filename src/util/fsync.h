// Making finished files survive a crash: syncing a file's bytes and a directory's
// entries (after a rename into it).
#pragma once

#include <string>
#include <string_view>

#include <util/result.h>

namespace blockstack::util {

// Syncs the file at `path` to disk. Fails with IoError when it cannot be opened
// or synced.
Status SyncFile(const std::string& path);

// Syncs the directory's entries, so a rename into it survives a crash. Best
// effort: a directory that cannot be opened is left as it is.
void SyncDirectory(const std::string& dir);

// Replaces the file at path with data so that a crash leaves the old file or the
// new one, never a mix: a temporary file beside it, synced, renamed over it.
Status WriteFileAtomically(const std::string& path, std::string_view data);

}  // namespace blockstack::util
