#include <util/log.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace blockstack::util {

Status InitLogging(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return Fail(ErrorCode::InvalidArgument, "unknown log level '" + std::string(level) + "'");
  }
  auto logger = spdlog::stderr_color_mt("blockstack");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  return Ok();
}

}  // namespace blockstack::util
