#include <node/progress.h>

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

}  // namespace blockstack::node
