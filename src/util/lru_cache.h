// A bounded map that forgets its least recently used entries. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace blockstack::util {

template <class K, class V>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity) : m_capacity(capacity) {}

  // The value, marked as recently used; nullopt when absent.
  std::optional<V> Get(const K& key) {
    std::lock_guard lock(m_mutex);
    auto it = m_index.find(key);
    if (it == m_index.end()) return std::nullopt;
    m_order.splice(m_order.begin(), m_order, it->second);
    return it->second->second;
  }

  void Put(const K& key, V value) {
    if (m_capacity == 0) return;
    std::lock_guard lock(m_mutex);
    auto it = m_index.find(key);
    if (it != m_index.end()) {
      it->second->second = std::move(value);
      m_order.splice(m_order.begin(), m_order, it->second);
      return;
    }
    m_order.emplace_front(key, std::move(value));
    m_index.emplace(key, m_order.begin());
    while (m_order.size() > m_capacity) {
      m_index.erase(m_order.back().first);
      m_order.pop_back();
    }
  }

  std::size_t Size() const {
    std::lock_guard lock(m_mutex);
    return m_order.size();
  }

 private:
  std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::list<std::pair<K, V>> m_order;  // front = most recent
  std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator> m_index;
};

}  // namespace blockstack::util
