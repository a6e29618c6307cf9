// The disk driver (spec gaia.md §3.1): data at {root}/{top}/{path}, metadata at
// {root}/.gaia-metadata/{top}/{path} as JSON {"content-type", "etag"}, the same
// layout as the original hub so an existing storage directory can be served.
//
// Writes go to a temporary file under {root}/.gaia-tmp, are fsynced, then renamed
// over the target, so a reader sees the old or the new content, never a part; a
// failed write (full disk, truncated upload) leaves the old content in place.
// Listing is sorted by path, paged by a decimal page number.
#pragma once

#include <memory>
#include <string>

#include <gaia/driver.h>

namespace blockstack::gaia {

struct DiskOptions {
  // fsync every file before it replaces the old one. Off trades durability on a
  // power cut for speed; atomicity (old or new, never a part) holds either way.
  bool fsync = true;
  // Small files recently read are kept in memory, each checked against the
  // file's inode, size and modification time on every read (one stat), so a
  // change made outside the hub is still seen.
  std::size_t read_cache_entries = 256;
  std::size_t read_cache_max_file = 64 * 1024;
};

// Creates root (and its temp directory) when missing. Fails with IoError when the
// directory cannot be created or written.
util::Result<std::unique_ptr<Driver>> MakeDiskDriver(const std::string& root, DiskOptions options = {});

}  // namespace blockstack::gaia
