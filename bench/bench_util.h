// Small pieces the benchmark programs share.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace blockstack::bench {

// The p-quantile (0..1) of a sample, by nearest rank.
inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Tells the driving script "ready PORT", then returns once standard input closes
// (the script's way of saying it is done).
inline void ServeUntilStdinCloses(uint16_t port) {
  std::cout << "ready " << port << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
}

}  // namespace blockstack::bench
