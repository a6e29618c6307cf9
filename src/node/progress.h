// Progress of long steps (catching up, snapshots, restores): a live line on a
// terminal, redrawn at most four times a second; otherwise a log line at most every
// 10 s. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
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

// One step of a long job with a known total (snapshot and restore).
struct StepProgress {
  std::string step;
  uint64_t done = 0;
  uint64_t total = 0;
  double seconds = 0;  // since the step started
};

// Shows a step's count, share, rate and ETA on a ProgressLine.
class StepReporter {
 public:
  void operator()(const StepProgress& p);

 private:
  ProgressLine m_line{/*first_at_once=*/false};
};

}  // namespace blockstack::node
