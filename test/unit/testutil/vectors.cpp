#include "vectors.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

namespace blockstack::testutil {

const nlohmann::json& Cases(const nlohmann::json& vectors, const std::string& key) {
  static const nlohmann::json EMPTY = nlohmann::json::array();
  if (!vectors.is_object() || !vectors.contains(key) || !vectors.at(key).is_array() || vectors.at(key).empty()) {
    ADD_FAILURE() << "the vectors have no cases under \"" << key << "\"";
    return EMPTY;
  }
  return vectors.at(key);
}

namespace {
std::string DataDir() {
  const char* dir = std::getenv("BLOCKSTACK_TEST_DATA");
  return dir != nullptr ? dir : BS_DEFAULT_TEST_DATA;
}
}  // namespace

std::string ReadDataFile(const std::string& relative) {
  std::string path = DataDir() + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "missing test data file %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json LoadVectors(const std::string& relative) { return nlohmann::json::parse(ReadDataFile(relative)); }

std::string MakeTempDir(const std::string& prefix) {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto p = base / (prefix + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) return p.string();
  }
  std::abort();
}

}  // namespace blockstack::testutil
