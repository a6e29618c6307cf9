// Small text helpers shared by parsers of flags, headers, queries and zone files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blockstack::util {

// An unsigned decimal of at most max_digits digits and at most max_value: digits
// only (no sign, blanks or prefix). nullopt otherwise.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max_value = UINT64_MAX,
                                     std::size_t max_digits = 20);

// The items of a sep-separated list with surrounding spaces trimmed; empty items
// are left out.
std::vector<std::string_view> SplitList(std::string_view text, char sep);

// Whether a and b are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// text without leading and trailing blanks (space, tab, CR, LF).
std::string_view TrimBlanks(std::string_view text);

// The candidate nearest to word by edit distance, ASCII case ignored, when it is
// near enough to be a likely slip (at most a third of the word's letters, and at
// least one); nullopt otherwise. For "did you mean" hints.
std::optional<std::string> NearestWord(std::string_view word, const std::vector<std::string_view>& candidates);

// unix_seconds as UTC through strftime's format (at most 63 characters of output).
std::string FormatUtc(int64_t unix_seconds, const char* format) __attribute__((format(strftime, 2, 0)));

}  // namespace blockstack::util
