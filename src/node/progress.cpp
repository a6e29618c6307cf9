#include <node/progress.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace blockstack::node {

ProgressLine::ProgressLine(bool first_at_once)
    : m_tty(::isatty(STDERR_FILENO) == 1),
      m_last(first_at_once ? std::chrono::steady_clock::time_point{} : std::chrono::steady_clock::now()) {}

void ProgressLine::Show(const std::string& text, bool last) {
  const auto now = std::chrono::steady_clock::now();
  if (!last && std::chrono::duration<double>(now - m_last).count() < (m_tty ? 0.25 : 10.0)) return;
  m_last = now;
  if (m_tty) {
    std::fprintf(stderr, "\r\033[K%s%s", text.c_str(), last ? "\n" : "");
    std::fflush(stderr);
  } else {
    spdlog::info("{}", text);
  }
}

void StepReporter::operator()(const StepProgress& p) {
  const double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0;
  const double pct = p.total > 0 ? 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total) : 100.0;
  m_line.Show(fmt::format("{} {}/{} ({:.1f}%): {:.0f}/s, ETA {:.0f}s", p.step, p.done, p.total, pct, rate, eta),
              p.done == p.total);
}

}  // namespace blockstack::node
