#include <util/result.h>

namespace blockstack::util {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::Corruption: return "Corruption";
    case ErrorCode::IoError: return "IoError";
    case ErrorCode::Unavailable: return "Unavailable";
    case ErrorCode::Timeout: return "Timeout";
    case ErrorCode::Unauthorized: return "Unauthorized";
    case ErrorCode::Conflict: return "Conflict";
    case ErrorCode::TooLarge: return "TooLarge";
    case ErrorCode::NoSpace: return "NoSpace";
  }
  return "Unknown";
}

std::string Error::ToString() const {
  std::string out = ErrorCodeName(code);
  out += ": ";
  out += message;
  return out;
}

Error Error::Wrap(std::string_view context) const {
  std::string msg(context);
  msg += ": ";
  msg += message;
  return Error{code, std::move(msg)};
}

}  // namespace blockstack::util
