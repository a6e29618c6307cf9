// HTML for the explorer's pages: text escaped on the way in, so nothing read from
// the chain, a zone file, a profile or a request can become markup. Pages are
// built by appending to one string; every value goes through Text() or an
// attribute helper, and only the explorer's own literals go in raw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace blockstack::explorer {

// s with & < > " ' replaced by entities, and bytes that are not UTF-8 (or are
// control characters other than tab and newline) replaced by U+FFFD.
std::string Escape(std::string_view s);
// A path segment or query value, percent-encoded (unreserved characters kept).
std::string UrlPart(std::string_view s);

class Html {
 public:
  // Markup the explorer wrote itself.
  Html& Raw(std::string_view markup) {
    m_out += markup;
    return *this;
  }
  Html& Text(std::string_view text) {
    m_out += Escape(text);
    return *this;
  }
  Html& Number(uint64_t n) {
    m_out += std::to_string(n);
    return *this;
  }
  // <tag attrs>text</tag>; attrs are the explorer's own.
  Html& Element(std::string_view tag, std::string_view text, std::string_view attrs = {});
  // <a href="href">text</a>; href is built by the explorer from escaped parts.
  Html& Link(std::string_view href, std::string_view text);
  // A row of a two-column table: label, then text (or markup with RawRow).
  Html& Row(std::string_view label, std::string_view text);
  Html& RawRow(std::string_view label, std::string_view markup);
  // <pre> of text, for zone files and JSON.
  Html& Pre(std::string_view text, std::string_view attrs = {});
  std::string Take() { return std::move(m_out); }
  const std::string& Str() const { return m_out; }

 private:
  std::string m_out;
};

struct PageShell {
  std::string title;        // shown as text
  std::string json_href;    // the page's JSON twin
  std::string search_text;  // what the search box shows
  std::string script;       // a module under /explorer/assets/ ("" for none)
};

// The document around body: head (title, stylesheet, JSON twin), the search form
// and the navigation, then body, then the footer.
std::string Page(const PageShell& shell, std::string_view body);

// A line plot of y against x as inline SVG (no script), with axis labels; y on a
// log scale when log_y. Values are numbers the explorer computed.
std::string SvgPlot(const std::vector<std::pair<double, double>>& points, std::string_view x_label,
                    std::string_view y_label, bool log_y);

// The lines of s, without their '\n' (a final '\n' ends the last line; "" has none).
std::vector<std::string_view> SplitLines(std::string_view s);

// Line diff of two texts (longest common subsequence, bounded): each line with
// ' ', '-' or '+'. Texts over max_lines lines are compared as wholes.
struct DiffLine {
  char kind;
  std::string text;
};
std::vector<DiffLine> DiffLines(std::string_view before, std::string_view after, std::size_t max_lines = 400);

}  // namespace blockstack::explorer
