// The version every binary and the API report.
#pragma once

namespace blockstack::util {

inline constexpr const char* VERSION = "0.1.0";

}  // namespace blockstack::util
