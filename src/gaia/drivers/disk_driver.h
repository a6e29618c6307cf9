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

// Creates root (and its temp directory) when missing. Fails with IoError when the
// directory cannot be created or written.
util::Result<std::unique_ptr<Driver>> MakeDiskDriver(const std::string& root);

}  // namespace blockstack::gaia
