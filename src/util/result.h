// Result<T> and Error: how every expected failure in the project is returned.
//
// Result<T> is std::expected<T, Error>. Compilers whose standard library lacks
// std::expected (clang 14 with libstdc++ 12, used only for the libFuzzer build) get
// a small compatible stand-in from detail/expected.h with the same members, so code
// that uses only the members below compiles under both.
#pragma once

#include <string>
#include <utility>
#include <version>

#if defined(__cpp_lib_expected)
#include <expected>
#else
#include <util/detail/expected.h>
#endif

namespace blockstack::util {

enum class ErrorCode {
  NotFound,
  InvalidArgument,
  Corruption,
  IoError,
  Unavailable,
  Timeout,
  Unauthorized,
  Conflict,
  TooLarge,
  NoSpace,  // the storage device (or quota) is full
};

// Returns the code's name as written above ("NotFound", ...).
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::InvalidArgument;
  std::string message;

  // "NotFound: <message>".
  std::string ToString() const;
  // The same error with "context: " prepended to the message.
  Error Wrap(std::string_view context) const;
};

// The same machinery for a part that needs its own error type (Gaia's error classes).
#if defined(__cpp_lib_expected)
template <class T, class E>
using BasicExpected = std::expected<T, E>;
template <class E>
using BasicUnexpected = std::unexpected<E>;
#else
template <class T, class E>
using BasicExpected = detail::Expected<T, E>;
template <class E>
using BasicUnexpected = detail::Unexpected<E>;
#endif

template <class T>
using Result = BasicExpected<T, Error>;
using Unexpected = BasicUnexpected<Error>;

using Status = Result<void>;

// Builds the failure value that converts to any Result<T>.
inline Unexpected Fail(ErrorCode code, std::string message) {
  return Unexpected(Error{code, std::move(message)});
}
inline Unexpected Fail(Error error) { return Unexpected(std::move(error)); }

inline Status Ok() { return {}; }

}  // namespace blockstack::util

#define BS_CONCAT_INNER(a, b) a##b
#define BS_CONCAT(a, b) BS_CONCAT_INNER(a, b)

// BS_TRY(decl, expr): evaluates expr (a Result); on failure returns its Error from the
// enclosing function, otherwise binds the value: BS_TRY(auto block, source.GetBlock(h));
#define BS_TRY(decl, expr) BS_TRY_IMPL(BS_CONCAT(bs_try_, __LINE__), decl, expr)
#define BS_TRY_IMPL(tmp, decl, expr)                                  \
  auto tmp = (expr);                                                  \
  if (!tmp.has_value()) {                                             \
    return ::blockstack::util::Unexpected(std::move(tmp).error());    \
  }                                                                   \
  decl = std::move(tmp).value()

// BS_CHECK_OK(expr): evaluates expr (a Status or Result); returns its Error on failure.
#define BS_CHECK_OK(expr) BS_CHECK_OK_IMPL(BS_CONCAT(bs_ok_, __LINE__), expr)
#define BS_CHECK_OK_IMPL(tmp, expr)                                   \
  do {                                                                \
    auto tmp = (expr);                                                \
    if (!tmp.has_value()) {                                           \
      return ::blockstack::util::Unexpected(std::move(tmp).error());  \
    }                                                                 \
  } while (0)
