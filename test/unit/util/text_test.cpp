#include <util/text.h>

#include <gtest/gtest.h>

namespace blockstack::util {
namespace {

TEST(TextTest, ParseDecimalTakesDigitsOnlyWithinLimits) {
  EXPECT_EQ(ParseDecimal("0"), 0u);
  EXPECT_EQ(ParseDecimal("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseDecimal("4294967295", UINT32_MAX), 4294967295u);
  EXPECT_FALSE(ParseDecimal("4294967296", UINT32_MAX));
  EXPECT_FALSE(ParseDecimal("18446744073709551616"));  // overflows
  EXPECT_FALSE(ParseDecimal("0001", UINT64_MAX, 3));   // too many digits
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a"}) EXPECT_FALSE(ParseDecimal(bad)) << bad;
}

TEST(TextTest, SplitListTrimsAndDropsEmptyItems) {
  EXPECT_EQ(SplitList(" a:1, b:2 ,,c ", ','), (std::vector<std::string_view>{"a:1", "b:2", "c"}));
  EXPECT_TRUE(SplitList("", ',').empty());
  EXPECT_TRUE(SplitList(" , ", ',').empty());
}

TEST(TextTest, NearestWordSuggestsOnlyLikelySlips) {
  const std::vector<std::string_view> keys = {"first_block", "data_dir", "readURL", "storageRootDirectory"};
  EXPECT_EQ(NearestWord("first_blok", keys), "first_block");
  EXPECT_EQ(NearestWord("readUrl", keys), "readURL");                      // case is ignored
  EXPECT_EQ(NearestWord("storageRootDir", keys), "storageRootDirectory");  // cut short
  EXPECT_EQ(NearestWord("datadir", keys), "data_dir");
  EXPECT_EQ(NearestWord("wohis", {"whois", "names"}), "whois");  // two letters swapped
  EXPECT_EQ(NearestWord("colour", keys), std::nullopt);
  EXPECT_EQ(NearestWord("", keys), std::nullopt);
  EXPECT_EQ(NearestWord("x", {}), std::nullopt);
}

TEST(TextTest, FormatUtcUsesUtc) {
  EXPECT_EQ(FormatUtc(0, "%Y-%m-%dT%H:%M:%SZ"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(1700000000, "%a, %d %b %Y %H:%M:%S GMT"), "Tue, 14 Nov 2023 22:13:20 GMT");
}

}  // namespace
}  // namespace blockstack::util
