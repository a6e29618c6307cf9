// Access to the golden vectors in test/data (path from $BLOCKSTACK_TEST_DATA).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace blockstack::testutil {

// Parses test/data/<relative>; aborts the test binary when the file is missing.
nlohmann::json LoadVectors(const std::string& relative);
// Reads a file under test/data as bytes.
std::string ReadDataFile(const std::string& relative);
// A fresh empty directory under the system temp dir; removed by the caller.
std::string MakeTempDir(const std::string& prefix);

}  // namespace blockstack::testutil
