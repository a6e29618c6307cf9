// The `blockstack` command line: parses arguments, runs one command, returns the
// process exit code (see ExitCode). Output goes to stdout, errors to stderr.
#pragma once

#include <util/result.h>

namespace blockstack::cli {

// Exit codes of the blockstack CLI, documented in the README.
enum ExitCode : int {
  EXIT_OK = 0,
  EXIT_INTERNAL = 1,
  EXIT_USAGE = 2,         // bad command line
  EXIT_INVALID = 3,       // a value given is malformed or refused
  EXIT_NOT_FOUND = 4,     // what was asked for does not exist
  EXIT_UNREACHABLE = 5,   // a node or hub could not be reached or timed out
  EXIT_UNAUTHORIZED = 6,  // credentials or signature refused
  EXIT_CORRUPT = 7,       // data failed a hash, signature or format check
  EXIT_REFUSED = 8,       // the node did not accept a broadcast operation
  // lookup: one code per way resolution can fail
  EXIT_NAME_UNKNOWN = 10,
  EXIT_NAME_EXPIRED = 11,
  EXIT_NAME_REVOKED = 12,
  EXIT_ZONEFILE_MISSING = 13,
  EXIT_HASH_MISMATCH = 14,
  EXIT_NO_PROFILE_URL = 15,
  EXIT_BAD_SIGNATURE = 16,
  EXIT_STORAGE_UNREACHABLE = 17,
  EXIT_STORAGE_MISSING = 18,
  EXIT_DECRYPT_FAILED = 19,
  EXIT_NOT_VERIFIED = 20,  // lookup --verify: an answer failed its proof
};

int ExitCodeFor(util::ErrorCode code);
int RunCli(int argc, char** argv);

}  // namespace blockstack::cli
