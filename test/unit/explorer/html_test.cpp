#include <explorer/html.h>

#include <gtest/gtest.h>

namespace blockstack::explorer {
namespace {

TEST(ExplorerHtmlTest, EscapeLeavesNoMarkupAndNoBrokenText) {
  EXPECT_EQ(Escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(Escape("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");  // UTF-8 kept
  const std::string bad =
      Escape(std::string("a\xFF"
                         "b\xC3"
                         "\x01"
                         "c\xED\xA0\x80",
                         9));
  EXPECT_EQ(bad,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escape("tab\tnew\nline"), "tab\tnew\nline");
  EXPECT_EQ(Escape(std::string_view("\0", 1)), "\xEF\xBF\xBD");
}

TEST(ExplorerHtmlTest, ElementsAndRowsEscapeWhatTheyAreGiven) {
  Html h;
  h.Element("td", "<b>").Link("/explorer/names/a\"b", "x<y").Row("<k>", "<v>");
  EXPECT_EQ(h.Str(),
            "<td>&lt;b&gt;</td><a href=\"/explorer/names/a&quot;b\">x&lt;y</a>"
            "<tr><th scope=\"row\">&lt;k&gt;</th><td>&lt;v&gt;</td></tr>\n");
  EXPECT_EQ(UrlPart("a b/<c>"), "a%20b%2F%3Cc%3E");
}

TEST(ExplorerHtmlTest, PageCarriesTheShellAndEscapesItsFields) {
  const std::string page = Page({"<t>", "/x?format=json&a=\"", "\"><script>", "explorer.js"}, "<p>body</p>");
  EXPECT_NE(page.find("<title>&lt;t&gt; · Blockstack explorer</title>"), std::string::npos);
  EXPECT_NE(page.find("value=\"&quot;&gt;&lt;script&gt;\""), std::string::npos);
  EXPECT_NE(page.find("href=\"/x?format=json&amp;a=&quot;\""), std::string::npos);
  EXPECT_NE(page.find("<script type=\"module\" src=\"/explorer/assets/explorer.js\"></script>"), std::string::npos);
  EXPECT_NE(page.find("<main>\n<p>body</p>"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
}

TEST(ExplorerHtmlTest, DiffMarksRemovedAndAddedLines) {
  auto d = DiffLines("a\nb\nc\n", "a\nB\nc\nd");
  std::string out;
  for (const auto& l : d) out += std::string(1, l.kind) + l.text + "|";
  EXPECT_EQ(out, " a|+B|-b| c|+d|");
  EXPECT_EQ(DiffLines("same", "same").size(), 1u);
  // Past the bound the texts are compared as wholes.
  std::string big(500 * 2, '\n');
  auto whole = DiffLines(big, big + "x", 400);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].kind, '-');
  EXPECT_EQ(whole[1].kind, '+');
}

TEST(ExplorerHtmlTest, PlotIsSvgWithOnePointPerValue) {
  const std::string svg = SvgPlot({{1, 1000}, {2, 100}, {3, 10}}, "length", "price <BTC>", true);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  std::size_t circles = 0;
  for (std::size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) ++circles;
  EXPECT_EQ(circles, 3u);
  EXPECT_NE(svg.find("price &lt;BTC&gt; (log scale)"), std::string::npos);
  EXPECT_EQ(SvgPlot({}, "x", "y", false), "");
  // One point, or all equal: no division by zero.
  EXPECT_EQ(SvgPlot({{5, 5}}, "x", "y", false).find("nan"), std::string::npos);
}

}  // namespace
}  // namespace blockstack::explorer
