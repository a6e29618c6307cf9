// Logging set-up. Parts log through spdlog's default logger; the mains call
// InitLogging once before starting threads.
#pragma once

#include <string_view>

#include <util/result.h>

namespace blockstack::util {

// Sends logs to stderr at the given level ("trace", "debug", "info", "warn",
// "error", "off"). Fails with InvalidArgument on an unknown level name.
Status InitLogging(std::string_view level);

}  // namespace blockstack::util
