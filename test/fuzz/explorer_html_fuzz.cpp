// Text from the chain, zone files, profiles and requests on its way into the
// explorer's pages: escaped text never holds markup characters, is valid UTF-8
// without control characters, and a page built around it holds no script but the
// explorer's own; a line diff of two texts gives each text back.
#include <explorer/html.h>
#include <util/json_text.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string escaped = explorer::Escape(text);
  if (escaped.find_first_of("<>\"'") != std::string::npos) std::abort();
  if (!util::IsValidUtf8(escaped)) std::abort();
  for (unsigned char c : escaped) {
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) std::abort();
  }
  const std::string page = explorer::Page({std::string(text), std::string(text), std::string(text), ""}, escaped);
  if (page.find("<script") != std::string::npos) std::abort();
  // The diff of the two halves: the kept and removed lines are the first, the
  // kept and added lines the second.
  const std::string_view before = text.substr(0, size / 2), after = text.substr(size / 2);
  const auto diff = explorer::DiffLines(before, after, 64);
  const auto lines_before = explorer::SplitLines(before), lines_after = explorer::SplitLines(after);
  if (lines_before.size() <= 64 && lines_after.size() <= 64) {
    std::vector<std::string_view> a, b;
    for (const auto& l : diff) {
      if (l.kind != '+') a.push_back(l.text);
      if (l.kind != '-') b.push_back(l.text);
    }
    if (a != lines_before || b != lines_after) std::abort();
  }
  return 0;
}
