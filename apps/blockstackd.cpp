#include <node/main.h>

int main(int argc, char** argv) { return blockstack::node::RunDaemon(argc, argv); }
