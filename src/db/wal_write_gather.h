// A SQLite VFS that is the default one, except that a write-ahead log's writes
// are gathered in memory and reach the file at the commit, in writes of 64 KiB,
// instead of two system calls per page (a 24-byte frame header, then the page).
//
// Why: indexing commits one block per transaction, about 140 pages each, and the
// 280 small writes per commit were a fifth of the indexing thread's time; one
// write per 64 KiB of the same bytes costs a third of that (doc/performance.md,
// Indexing).
//
// What other connections see does not change. SQLite publishes a commit in the
// log's index only after it has written the commit frame, and the commit frame's
// page is the write that empties the buffer. Any other access to the log (a
// read of gathered bytes, sync, truncate, size, close) empties it first. If the
// buffer cannot grow, the writes go to the file directly.
#pragma once

namespace blockstack::db {

// The VFS's name, registered (not as the default) on the first call; nullptr
// when SQLite has no default VFS to wrap. Thread-safe.
const char* WalWriteGatherVfs();

// Commits whose frames the VFS wrote to a log in one write, in this process (for tests).
unsigned long long WalGatheredCommits();

}  // namespace blockstack::db
