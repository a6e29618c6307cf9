#include <util/stop_signals.h>

#include <pthread.h>

namespace blockstack::util {

StopSignals::StopSignals() {
  sigemptyset(&m_set);
  sigaddset(&m_set, SIGINT);
  sigaddset(&m_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &m_set, nullptr);
}

int StopSignals::Wait() {
  int sig = 0;
  sigwait(&m_set, &sig);
  return sig;
}

}  // namespace blockstack::util
