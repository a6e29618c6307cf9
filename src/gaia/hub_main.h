// The gaia-hub program: options, start-up and shutdown around a Hub.
#pragma once

namespace blockstack::gaia {

// Parses argv, starts the hub and serves until SIGINT or SIGTERM. Exit codes: 0
// after a clean stop (or --help), 2 for a bad option or config, 3 when the
// storage or the listen address cannot be opened.
int RunHub(int argc, char** argv);

}  // namespace blockstack::gaia
