// SQLite's own page cache behind a thin layer that tracks which page numbers are
// in it, so that truncating the cache above the database's end costs nothing when
// no page is there.
//
// Why: when a B-tree split hands out new pages out of order, SQLite swaps their
// numbers through a temporary one just past the 1 GiB lock-byte page (262,145 with
// 4 KiB pages). Its page cache remembers that number as the largest it has held,
// and every commit of a database smaller than that then truncates the cache by
// walking its whole hash table: a third of a millisecond per block with a 32 MiB
// cache, and more with a larger one. Measured in doc/performance.md (Indexing).
#pragma once

namespace blockstack::db {

// Installs the layer for every connection the process opens afterwards. Must run
// before SQLite is first initialised (Sqlite::Open calls it); returns false when
// SQLite was already initialised and the default cache stays.
bool InstallPageCache();

// True when InstallPageCache succeeded.
bool PageCacheInstalled();

// Truncations the layer passed on to SQLite's cache, and the ones it answered
// itself because no page at or above the limit was cached (for tests).
struct PageCacheCounters {
  unsigned long long passed = 0;
  unsigned long long skipped = 0;
};
PageCacheCounters PageCacheStats();

}  // namespace blockstack::db
