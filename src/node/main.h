// blockstackd's entry point: the node, or one of its subcommands.
#pragma once

namespace blockstack::node {

// Runs `blockstackd [options]` (the node, until SIGINT or SIGTERM) or
// `blockstackd query|snapshot|restore|import-zonefiles ...`; returns the exit code.
int RunDaemon(int argc, char** argv);

}  // namespace blockstack::node
