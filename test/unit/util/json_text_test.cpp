// Direct JSON text: the same bytes nlohmann's dump() writes for the same object
// (keys in the order given), and the UTF-8 check that decides what it can write.
#include <util/json_text.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace blockstack::util {
namespace {

TEST(JsonTextTest, WritesWhatNlohmannWrites) {
  const std::string tricky = std::string("q\"b\\ \b\f\n\r\t \x01 \x1f \x7f caf\xc3\xa9 ") + "\xf0\x9f\x99\x82";
  JsonText t;
  t.Key("a").String(tricky).Key("b").Signed(-1).Key("c").Number(18446744073709551615u).Key("d").Bool(false);
  t.Key("e").Null().Key("f").Optional(std::nullopt).Key("g").Optional(std::string("x")).Key("h").Raw("[1,2]");
  nlohmann::ordered_json j;
  j["a"] = tricky;
  j["b"] = -1;
  j["c"] = 18446744073709551615u;
  j["d"] = false;
  j["e"] = nullptr;
  j["f"] = nullptr;
  j["g"] = "x";
  j["h"] = {1, 2};
  EXPECT_EQ(std::move(t).Finish(), j.dump());
  EXPECT_EQ(JsonText().Finish(), "{}");
}

TEST(JsonTextTest, Utf8CheckAgreesWithNlohmann) {
  const std::vector<std::string> cases = {
      "", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x99\x82", "\xf4\x8f\xbf\xbf",
      "\xc3", "\xe2\x82", "\xf0\x9f\x99",               // cut short
      "\x80", "\xbf abc", "\xff", "\xfe",              // stray bytes
      "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",  // overlong
      "\xed\xa0\x80", "\xf4\x90\x80\x80",              // a surrogate, past U+10FFFF
      "ok\xc3\xa9\xc3",
  };
  for (const auto& s : cases) {
    bool nlohmann_ok = true;
    try {
      (void)nlohmann::json(s).dump();
    } catch (const nlohmann::json::exception&) {
      nlohmann_ok = false;
    }
    EXPECT_EQ(IsValidUtf8(s), nlohmann_ok) << "case of " << s.size() << " bytes";
  }
}

}  // namespace
}  // namespace blockstack::util
