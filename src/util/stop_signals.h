// SIGINT and SIGTERM for servers that run until stopped: blocked in every thread
// (create a StopSignals before starting threads, so they inherit the mask), then
// taken by Wait on the main thread.
#pragma once

#include <csignal>

namespace blockstack::util {

class StopSignals {
 public:
  StopSignals();
  // Blocks until SIGINT or SIGTERM arrives; returns it.
  int Wait();

 private:
  sigset_t m_set;
};

}  // namespace blockstack::util
