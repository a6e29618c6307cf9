#include <registrar/registrar.h>

int main(int argc, char** argv) { return blockstack::registrar::RunRegistrar(argc, argv); }
