// The hub's error classes (spec gaia.md §1): each has a JSON class name and an HTTP
// status. Errors of the hub carry one of these rather than a util::ErrorCode, since
// clients tell them apart by name ("AuthTokenTimestampValidationError" and
// "ValidationError" are both 401).
#pragma once

#include <string>

#include <util/result.h>

namespace blockstack::gaia {

enum class HubErrorKind {
  Validation,          // 401 ValidationError
  AuthTimestamp,       // 401 AuthTokenTimestampValidationError
  BadPath,             // 403 BadPathError
  NotEnoughProof,      // 402 NotEnoughProofError
  DoesNotExist,        // 404 DoesNotExist
  Conflict,            // 409 ConflictError
  PreconditionFailed,  // 412 PreconditionFailedError
  PayloadTooLarge,     // 413 PayloadTooLargeError
  BadRequest,          // 400, message only
  NoSpace,             // 507, message only: the storage is full
  Server,              // 500 {"message":"Server Error"}; the detail is logged, not sent
};

struct HubError {
  HubErrorKind kind = HubErrorKind::Server;
  std::string message;
};

template <typename T>
using HubResult = util::BasicExpected<T, HubError>;
using HubUnexpected = util::BasicUnexpected<HubError>;

inline HubUnexpected HubFail(HubErrorKind kind, std::string message) {
  return HubUnexpected(HubError{kind, std::move(message)});
}

unsigned HttpStatus(HubErrorKind kind);
// "ValidationError", ...; empty for BadRequest and Server, which send no class.
const char* ClassName(HubErrorKind kind);
// A driver's util::Error as a hub error: NotFound -> DoesNotExist, InvalidArgument ->
// BadPath, Conflict -> Conflict, TooLarge -> PayloadTooLarge, NoSpace -> NoSpace,
// anything else -> Server.
HubError FromUtilError(const util::Error& error);

}  // namespace blockstack::gaia

// BS_GAIA_TRY(decl, expr) / BS_GAIA_TRY_VOID(expr): BS_TRY for HubResult.
#define BS_GAIA_TRY(decl, expr) BS_GAIA_TRY_IMPL(BS_CONCAT(bs_gtry_, __LINE__), decl, expr)
#define BS_GAIA_TRY_IMPL(tmp, decl, expr)                             \
  auto tmp = (expr);                                                  \
  if (!tmp.has_value()) {                                             \
    return ::blockstack::gaia::HubUnexpected(std::move(tmp).error()); \
  }                                                                   \
  decl = std::move(tmp).value()
#define BS_GAIA_TRY_VOID(expr) BS_GAIA_TRY_VOID_IMPL(BS_CONCAT(bs_gok_, __LINE__), expr)
#define BS_GAIA_TRY_VOID_IMPL(tmp, expr)                                \
  do {                                                                  \
    auto tmp = (expr);                                                  \
    if (!tmp.has_value()) {                                             \
      return ::blockstack::gaia::HubUnexpected(std::move(tmp).error()); \
    }                                                                   \
  } while (0)
