// `blockstackd query ...`: reads the name database of a data directory (read-only,
// safe while the daemon runs) and prints JSON.
#pragma once

namespace blockstack::node {

int RunQuery(int argc, char** argv);

}  // namespace blockstack::node
