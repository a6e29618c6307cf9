// blockstackd's main loop.
#pragma once

namespace blockstack::node {

// Runs the daemon with the process arguments; returns the exit code. Stops cleanly
// on SIGINT or SIGTERM.
int RunDaemon(int argc, char** argv);

}  // namespace blockstack::node
