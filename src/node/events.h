// The node's one fan-out of events (interfaces/events.h): every part that reacts
// to a committed block or a stored zone file subscribes here once, at start-up,
// and is told in the order it subscribed.
//
// Thread safety: subscribe before the first Publish (start-up is single-threaded);
// Publish may then be called from any thread, and calls each subscriber on the
// calling thread.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <interfaces/events.h>

namespace blockstack::node {

class EventFanOut {
 public:
  using BlockFn = std::function<void(const interfaces::BlockCommitted&)>;
  using ZonefileFn = std::function<void(const interfaces::ZonefileStored&)>;

  // who names the subscriber in doc and logs ("api", "dns", ...).
  void OnBlockCommitted(std::string who, BlockFn fn) { m_blocks.emplace_back(std::move(who), std::move(fn)); }
  void OnZonefileStored(std::string who, ZonefileFn fn) { m_zonefiles.emplace_back(std::move(who), std::move(fn)); }

  void Publish(const interfaces::BlockCommitted& block) const {
    for (const auto& [who, fn] : m_blocks) fn(block);
  }
  void Publish(const interfaces::ZonefileStored& stored) const {
    for (const auto& [who, fn] : m_zonefiles) fn(stored);
  }

  // The subscribers' names, in order (for tests and the start-up log).
  std::vector<std::string> BlockSubscribers() const { return Names(m_blocks); }
  std::vector<std::string> ZonefileSubscribers() const { return Names(m_zonefiles); }

 private:
  template <typename Fn>
  static std::vector<std::string> Names(const std::vector<std::pair<std::string, Fn>>& subs) {
    std::vector<std::string> out;
    for (const auto& [who, fn] : subs) out.push_back(who);
    return out;
  }
  std::vector<std::pair<std::string, BlockFn>> m_blocks;
  std::vector<std::pair<std::string, ZonefileFn>> m_zonefiles;
};

}  // namespace blockstack::node
