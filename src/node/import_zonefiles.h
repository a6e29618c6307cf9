// Importing the zone files another node keeps in a directory (spec atlas.md §1.7:
// "<h[0:2]>/<h[2:4]>/<h>.txt", and the legacy ".../<20 hex pairs>/zonefile.txt"),
// so a new node need not fetch over Atlas what a reference node already holds.
//
// Nothing in the directory is trusted: a file is stored only when its bytes hash
// to the hash its path names, that hash was announced on chain (some inventory
// slot), and it is at most MAX_ZONEFILE_BYTES. Symbolic links are not followed,
// and directories more than 24 levels down are not walked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <atlas/zonefile_store.h>
#include <interfaces/zonefile_index.h>
#include <util/result.h>

namespace blockstack::node {

struct ImportSummary {
  uint64_t files = 0;        // regular files looked at
  uint64_t stored = 0;       // new in the store
  uint64_t already = 0;      // stored before
  uint64_t unannounced = 0;  // hash never announced on chain
  uint64_t mismatched = 0;   // bytes that do not hash to the path's hash
  uint64_t too_large = 0;    // over MAX_ZONEFILE_BYTES
  uint64_t ignored = 0;      // names of neither layout, links, unreadable files
};

// The hash a zone file's path names (lowercase hex), relative to the directory
// walked: "<40 hex>.txt" anywhere, or "zonefile.txt" under 20 directories of two
// hex digits each. nullopt for any other path.
std::optional<std::string> HashFromStoragePath(std::string_view relative_path);

// Walks dir and stores what passes the checks above, in batches. progress, when
// set, is called with the running summary every few thousand files. Fails with
// IoError when dir cannot be walked or the store cannot be written.
util::Result<ImportSummary> ImportZonefiles(const std::string& dir, interfaces::ZonefileIndex& index,
                                            atlas::ZonefileStore& store,
                                            const std::function<void(const ImportSummary&)>& progress = {});

// `blockstackd import-zonefiles --data-dir D --from DIR` (argv starts at
// "import-zonefiles"). Prints the summary as JSON.
int RunImportZonefiles(int argc, char** argv);

}  // namespace blockstack::node
