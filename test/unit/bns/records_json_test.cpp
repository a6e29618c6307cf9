#include <bns/records_json.h>

#include <gtest/gtest.h>

#include "record_samples.h"

namespace blockstack::bns {
namespace {

using test_samples::NameCases;
using test_samples::PreorderCases;
using test_samples::Registered;

TEST(RecordsJsonTest, DirectTextEqualsNlohmannDump) {
  for (const auto& r : NameCases()) EXPECT_EQ(NameRecordJsonText(r), ToJson(r).dump()) << ToJson(r).dump();
}

TEST(RecordsJsonTest, DirectPreorderTextEqualsNlohmannDump) {
  for (const auto& r : PreorderCases()) EXPECT_EQ(PreorderRecordJsonText(r), ToJson(r).dump()) << ToJson(r).dump();
  auto back = PreorderRecordFromJson(nlohmann::json::parse(PreorderRecordJsonText(test_samples::Preorder())));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, test_samples::Preorder());
}

TEST(RecordsJsonTest, DirectTextReadsBack) {
  auto back = NameRecordFromJson(nlohmann::json::parse(NameRecordJsonText(Registered())));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, Registered());
}

}  // namespace
}  // namespace blockstack::bns
