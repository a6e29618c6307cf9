// One writer per data directory.
#include <node/data_dir_lock.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testutil/vectors.h"

namespace blockstack::node {
namespace {

TEST(DataDirLockTest, ASecondHolderIsRefusedNamingTheFirstsPid) {
  const std::string dir = testutil::MakeTempDir("datadir_lock");
  {
    auto first = DataDirLock::Acquire(dir);
    ASSERT_TRUE(first) << first.error().message;
    auto second = DataDirLock::Acquire(dir);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, util::ErrorCode::Conflict);
    EXPECT_EQ(second.error().message, "data directory " + dir + " in use by PID " + std::to_string(::getpid()));
  }
  // Released with its holder: the next one gets it.
  EXPECT_TRUE(DataDirLock::Acquire(dir));
  std::filesystem::remove_all(dir);
}

TEST(DataDirLockTest, AMissingDirectoryIsAnIoError) {
  auto got = DataDirLock::Acquire("/nonexistent/blockstack-data");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, util::ErrorCode::IoError);
}

}  // namespace
}  // namespace blockstack::node
