#include <net/metrics.h>

#include <array>
#include <cstdio>

namespace blockstack::net {

namespace {

constexpr std::array<double, 14> BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                            0.025,  0.05,    0.1,    0.25,  0.5,    1,     10};

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// "{a=\"1\",b=\"2\"}" with an extra label appended, or "" when there are none.
std::string WithLabel(const std::string& key, const std::string& extra) {
  if (key.empty() && extra.empty()) return "";
  if (key.empty()) return "{" + extra + "}";
  if (extra.empty()) return "{" + key + "}";
  return "{" + key + "," + extra + "}";
}

}  // namespace

std::string Metrics::Key(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k + "=\"" + Escape(v) + "\"";
  }
  return out;
}

void Metrics::Describe(std::string name, std::string help, std::string type) {
  std::lock_guard lock(m_mutex);
  m_help[std::move(name)] = {std::move(help), std::move(type)};
}

void Metrics::Add(std::string_view name, const Labels& labels, double value) {
  std::string key = Key(labels);
  std::lock_guard lock(m_mutex);
  auto it = m_values.find(name);
  if (it == m_values.end()) it = m_values.emplace(std::string(name), std::map<std::string, double>{}).first;
  it->second[key] += value;
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  std::string key = Key(labels);
  std::lock_guard lock(m_mutex);
  auto it = m_values.find(name);
  if (it == m_values.end()) it = m_values.emplace(std::string(name), std::map<std::string, double>{}).first;
  it->second[key] = value;
}

void Metrics::Observe(std::string_view name, const Labels& labels, double seconds) {
  std::string key = Key(labels);
  std::lock_guard lock(m_mutex);
  auto it = m_histograms.find(name);
  if (it == m_histograms.end()) it = m_histograms.emplace(std::string(name), std::map<std::string, Histogram>{}).first;
  Histogram& h = it->second[key];
  if (h.buckets.empty()) h.buckets.assign(BUCKETS.size(), 0);
  for (std::size_t i = 0; i < BUCKETS.size(); ++i) {
    if (seconds <= BUCKETS[i]) h.buckets[i]++;
  }
  h.count++;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(m_mutex);
  std::string out;
  auto header = [&](const std::string& name, const char* fallback_type) {
    auto it = m_help.find(name);
    if (it != m_help.end()) {
      out += "# HELP " + name + " " + it->second.first + "\n";
      out += "# TYPE " + name + " " + it->second.second + "\n";
    } else {
      out += std::string("# TYPE ") + name + " " + fallback_type + "\n";
    }
  };
  for (const auto& [name, series] : m_values) {
    header(name, "untyped");
    for (const auto& [key, value] : series) out += name + WithLabel(key, "") + " " + Number(value) + "\n";
  }
  for (const auto& [name, series] : m_histograms) {
    header(name, "histogram");
    for (const auto& [key, h] : series) {
      for (std::size_t i = 0; i < BUCKETS.size(); ++i) {
        out += name + "_bucket" + WithLabel(key, "le=\"" + Number(BUCKETS[i]) + "\"") + " " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += name + "_bucket" + WithLabel(key, "le=\"+Inf\"") + " " + std::to_string(h.count) + "\n";
      out += name + "_sum" + WithLabel(key, "") + " " + Number(h.sum) + "\n";
      out += name + "_count" + WithLabel(key, "") + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace blockstack::net
