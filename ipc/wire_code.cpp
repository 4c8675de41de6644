#include "ipc/wire_code.h"

#include <ostream>

namespace gg::ipc {

std::string_view Name(WireCode code) {
  switch (code) {
    case WireCode::kBadRequest:
      return "BAD_REQUEST";
    case WireCode::kValidationError:
      return "VALIDATION_ERROR";
    case WireCode::kUnknownOp:
      return "UNKNOWN_OP";
    case WireCode::kUnsupportedVersion:
      return "UNSUPPORTED_VERSION";
    case WireCode::kFrameTooLarge:
      return "FRAME_TOO_LARGE";
    case WireCode::kSessionNotFound:
      return "SESSION_NOT_FOUND";
    case WireCode::kForbidden:
      return "FORBIDDEN";
    case WireCode::kBusy:
      return "BUSY";
    case WireCode::kRateLimited:
      return "RATE_LIMITED";
    case WireCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";  // not reached: every value is named above
}

std::ostream& operator<<(std::ostream& out, WireCode code) {
  return out << Name(code);
}

}  // namespace gg::ipc
