// Access to the golden vectors in test/data (path from $BLOCKSTACK_TEST_DATA).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace blockstack::testutil {

// Parses test/data/<relative>; aborts the test binary when the file is missing.
nlohmann::json LoadVectors(const std::string& relative);
// The cases under key in a vector file: a non-empty array. A key that is
// missing, not an array or empty fails the calling test (a renamed key must not
// pass silently) and gives an empty array.
const nlohmann::json& Cases(const nlohmann::json& vectors, const std::string& key);
// Reads a file under test/data as bytes.
std::string ReadDataFile(const std::string& relative);
// A fresh empty directory under the system temp dir; removed by the caller.
std::string MakeTempDir(const std::string& prefix);

}  // namespace blockstack::testutil
