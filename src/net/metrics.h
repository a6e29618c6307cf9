// Prometheus text-format metrics: counters and latency histograms with labels.
// Thread-safe; cheap enough to update on every request.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blockstack::net {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a metric's help text and type ("counter", "gauge" or "histogram").
  // Metrics without a declaration are rendered as untyped.
  void Describe(std::string name, std::string help, std::string type);
  void Add(std::string_view name, const Labels& labels = {}, double value = 1);
  void Set(std::string_view name, const Labels& labels, double value);
  // A latency in seconds into buckets from 0.1 ms to 10 s.
  void Observe(std::string_view name, const Labels& labels, double seconds);
  // The exposition text (text/plain; version=0.0.4).
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;
    uint64_t count = 0;
    double sum = 0;
  };
  static std::string Key(const Labels& labels);
  mutable std::mutex m_mutex;
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> m_help;  // name -> (help, type)
  std::map<std::string, std::map<std::string, double>, std::less<>> m_values;     // name -> labels -> value
  std::map<std::string, std::map<std::string, Histogram>, std::less<>> m_histograms;
};

}  // namespace blockstack::net
