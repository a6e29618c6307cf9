#include <cli/cli.h>

int main(int argc, char** argv) { return blockstack::cli::RunCli(argc, argv); }
