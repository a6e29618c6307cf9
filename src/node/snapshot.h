// Snapshots: writing a node's state to one portable file, and restoring a node from
// one while trusting nothing but a consensus hash (doc/snapshot.md).
//
// A snapshot carries every block's recorded operations with their raw transactions
// and senders, each block's hash and consensus hash, and the zone files. Restoring
// replays those operations through the consensus rules into a fresh database, so
// every consensus hash is derived again from the operations themselves; the one at
// the restored height must equal the trusted hash, and every zone file must hash
// to its key and be some name's zone-file hash.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <node/config.h>
#include <node/progress.h>
#include <util/result.h>

namespace blockstack::node {

using StepProgressFn = std::function<void(const StepProgress&)>;

struct SnapshotSummary {
  uint32_t height = 0;
  std::string consensus_hash;
  uint64_t blocks = 0;
  uint64_t ops = 0;
  uint64_t zonefiles = 0;
  uint64_t zonefiles_missing = 0;  // on chain but not in this node's store
  uint64_t bytes = 0;
  double seconds = 0;
};

// Writes the database in data_dir at `height` (default: its last block) to `out`,
// through a temporary that is renamed into place when complete. Safe while the
// node runs (one read transaction). Fails with NotFound when nothing is indexed or
// the height is not, IoError on a write failure.
util::Result<SnapshotSummary> WriteSnapshot(const std::string& data_dir, const std::string& out,
                                            std::optional<uint32_t> height, const StepProgressFn& progress = {});

struct RestoreSummary {
  uint32_t height = 0;
  std::string consensus_hash;
  uint64_t blocks = 0;
  uint64_t ops = 0;
  uint64_t zonefiles = 0;
  uint64_t zonefiles_skipped = 0;  // above the restored height
  double seconds = 0;
};

// Restores cfg.data_dir from a snapshot. The directory must not hold an indexed
// database. Everything is built in a temporary directory inside it and moved into
// place only when every check passed, so a refused or interrupted restore leaves
// no database behind. Fails with Corruption naming the first block whose derived
// consensus hash differs from the snapshot's, or what else is wrong with the file;
// with InvalidArgument when the snapshot is of another network, first block or
// payload magic, or the trusted hash or height is unusable; with Conflict when
// the directory already holds a database.
util::Result<RestoreSummary> RestoreSnapshot(const Config& cfg, const RestoreArgs& args,
                                             const StepProgressFn& progress = {});

}  // namespace blockstack::node
