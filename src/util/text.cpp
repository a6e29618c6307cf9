#include <util/text.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

namespace blockstack::util {

std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max_value, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v > max_value) return std::nullopt;
  return v;
}

std::vector<std::string_view> SplitList(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto cut = text.find(sep);
    std::string_view item = text.substr(0, cut);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view TrimBlanks(std::string_view text) {
  constexpr std::string_view BLANKS = " \t\r\n";
  const auto first = text.find_first_not_of(BLANKS);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(BLANKS) - first + 1);
}

std::string FormatUtc(int64_t unix_seconds, const char* format) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  // Callers' formats are checked at the call site (the attribute in text.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
#pragma GCC diagnostic pop
  return std::string(buf, n);
}

std::optional<std::string> NearestWord(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  std::vector<std::size_t> before, prev, cur;
  for (auto candidate : candidates) {
    // Edit distance with swaps of neighbours (optimal string alignment), three rows.
    before.assign(candidate.size() + 1, 0);
    prev.resize(candidate.size() + 1);
    cur.resize(candidate.size() + 1);
    for (std::size_t j = 0; j <= candidate.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= candidate.size(); ++j) {
        const std::size_t cost = lower(word[i - 1]) == lower(candidate[j - 1]) ? 0 : 1;
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        if (i > 1 && j > 1 && lower(word[i - 1]) == lower(candidate[j - 2]) &&
            lower(word[i - 2]) == lower(candidate[j - 1])) {
          cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
      }
      before = prev;
      std::swap(prev, cur);
    }
    std::size_t distance = prev[candidate.size()];
    // A word cut short (or run on) is a slip too: "storageRootDir".
    const auto shorter = std::min(word.size(), candidate.size());
    if (shorter >= 4 && EqualsIgnoreCase(word.substr(0, shorter), candidate.substr(0, shorter))) {
      distance = std::min<std::size_t>(distance, 1);
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace blockstack::util
