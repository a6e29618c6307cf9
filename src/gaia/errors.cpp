#include <gaia/errors.h>

namespace blockstack::gaia {

unsigned HttpStatus(HubErrorKind kind) {
  switch (kind) {
    case HubErrorKind::Validation:
    case HubErrorKind::AuthTimestamp: return 401;
    case HubErrorKind::BadPath: return 403;
    case HubErrorKind::NotEnoughProof: return 402;
    case HubErrorKind::DoesNotExist: return 404;
    case HubErrorKind::Conflict: return 409;
    case HubErrorKind::PreconditionFailed: return 412;
    case HubErrorKind::PayloadTooLarge: return 413;
    case HubErrorKind::BadRequest: return 400;
    case HubErrorKind::NoSpace: return 507;
    case HubErrorKind::Server: return 500;
  }
  return 500;
}

const char* ClassName(HubErrorKind kind) {
  switch (kind) {
    case HubErrorKind::Validation: return "ValidationError";
    case HubErrorKind::AuthTimestamp: return "AuthTokenTimestampValidationError";
    case HubErrorKind::BadPath: return "BadPathError";
    case HubErrorKind::NotEnoughProof: return "NotEnoughProofError";
    case HubErrorKind::DoesNotExist: return "DoesNotExist";
    case HubErrorKind::Conflict: return "ConflictError";
    case HubErrorKind::PreconditionFailed: return "PreconditionFailedError";
    case HubErrorKind::PayloadTooLarge: return "PayloadTooLargeError";
    case HubErrorKind::BadRequest:
    case HubErrorKind::NoSpace:
    case HubErrorKind::Server: return "";
  }
  return "";
}

HubError FromUtilError(const util::Error& error) {
  switch (error.code) {
    case util::ErrorCode::NotFound: return {HubErrorKind::DoesNotExist, error.message};
    case util::ErrorCode::InvalidArgument: return {HubErrorKind::BadPath, error.message};
    case util::ErrorCode::Conflict: return {HubErrorKind::Conflict, error.message};
    case util::ErrorCode::TooLarge: return {HubErrorKind::PayloadTooLarge, error.message};
    case util::ErrorCode::NoSpace: return {HubErrorKind::NoSpace, error.message};
    default: return {HubErrorKind::Server, error.message};
  }
}

}  // namespace blockstack::gaia
