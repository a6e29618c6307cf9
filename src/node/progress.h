// Progress of long steps (catching up, snapshots, restores): a live line on a
// terminal, redrawn at most four times a second; otherwise a log line at most every
// 10 s. Not thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace blockstack::node {

class ProgressLine {
 public:
  // Writes to the terminal when stderr is one, else to the log. With
  // first_at_once unset, the first line waits out the interval like the rest
  // (early rates and ETAs mean little).
  explicit ProgressLine(bool first_at_once);

  // Shows `text` unless the last line went out too recently. `last` always shows
  // and ends the live line.
  void Show(const std::string& text, bool last);

 private:
  bool m_tty;
  std::chrono::steady_clock::time_point m_last;
};

}  // namespace blockstack::node
