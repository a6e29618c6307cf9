#include <node/main.h>

#ifdef BLOCKSTACK_JEMALLOC
// jemalloc serves allocations above its oversize threshold (8 MiB) from an arena
// that gives their pages back at once, so each batch of blocks from the Bitcoin
// node (tens of megabytes of hex) came in on freshly faulted pages: a third of a
// catch-up's time. Above the largest answer the node reads, they are reused.
extern "C" {
const char* malloc_conf = "oversize_threshold:268435456";
}
#endif

int main(int argc, char** argv) { return blockstack::node::RunDaemon(argc, argv); }
