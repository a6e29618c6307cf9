// The `blockstack` command line: parses arguments, runs one command, returns the
// process exit code (see ExitCode). Output goes to stdout, errors to stderr.
#pragma once

#include <util/result.h>

namespace blockstack::cli {

// Exit codes of the blockstack CLI, documented in the README.
enum ExitCode : int {
  EXIT_OK = 0,
  EXIT_INTERNAL = 1,
  EXIT_USAGE = 2,            // bad command line
  EXIT_INVALID = 3,          // a value given is malformed or refused
  EXIT_NOT_FOUND = 4,        // what was asked for does not exist
  EXIT_UNREACHABLE = 5,      // a node or hub could not be reached or timed out
  EXIT_UNAUTHORIZED = 6,     // credentials or signature refused
  EXIT_CORRUPT = 7,          // data failed a hash, signature or format check
};

int ExitCodeFor(util::ErrorCode code);
int RunCli(int argc, char** argv);

}  // namespace blockstack::cli
