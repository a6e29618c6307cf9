// `blockstackd verify`: checks a data directory without changing it, and the
// quick form of the same checks that the daemon runs at start.
//
//   - every database file (blockstack.db, zonefiles.db, subdomains.db) passes
//     SQLite's integrity check (quick_check in the quick form);
//   - each block's consensus hash, recomputed from its stored ops hash and the
//     earlier consensus hashes it commits to, matches the stored one, over a
//     window of the newest blocks (every block by default);
//   - every name record's owner address passes its checksum and its data parses
//     (the quick form checks the addresses only);
//   - every stored zone file hashes to the hash it is stored under (not in the
//     quick form).
// A missing or unreadable blockstack.db is a problem, never an empty database.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <util/result.h>

namespace blockstack::node {

struct VerifyOptions {
  std::string data_dir;
  uint32_t window = 0;  // newest blocks whose consensus hashes are recomputed; 0 = all
  bool quick = false;   // quick_check, and no zone-file hashing
};

struct VerifyProblem {
  std::string file;               // the database file at fault
  std::optional<uint32_t> block;  // the first bad block, where one is at fault
  std::string what;
};

struct VerifyReport {
  std::vector<VerifyProblem> problems;
  uint32_t blocks_checked = 0;
  uint64_t names_checked = 0;
  uint64_t zonefiles_checked = 0;
  bool Ok() const { return problems.empty(); }
};

// Fails (IoError) only when the check itself cannot run; what it finds wrong is
// in the report.
util::Result<VerifyReport> Verify(const VerifyOptions& options);

// The daemon's check at start: quick, over the newest `window` blocks. Fails
// with Corruption naming the first problem and what to do about it.
util::Status CheckAtStart(const std::string& data_dir, uint32_t window = 144);

// `blockstackd verify ...` (argv starts at the subcommand). Exit 0: no problem;
// 5: problems found (printed); 2: usage; 3: the check could not run.
int RunVerify(int argc, char** argv);

}  // namespace blockstack::node
