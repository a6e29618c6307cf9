#include <node/daemon.h>

int main(int argc, char** argv) { return blockstack::node::RunDaemon(argc, argv); }
