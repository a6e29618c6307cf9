// blockstackd's main loop.
#pragma once

namespace blockstack::node {

// Runs the daemon with the process arguments; returns the exit code. Stops cleanly
// on SIGINT or SIGTERM.
int RunDaemon(int argc, char** argv);

struct Config;
// Runs the node with a parsed configuration (logging already set up).
int RunNode(const Config& config);

}  // namespace blockstack::node
