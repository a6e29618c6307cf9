#include <gaia/hub_main.h>

int main(int argc, char** argv) { return blockstack::gaia::RunHub(argc, argv); }
