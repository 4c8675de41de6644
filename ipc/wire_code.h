// The error codes of the local protocol's error answers (spec/ipc.md
// "Errors"): the one list the server, the bridge and the tests share.
// Verdict reason codes are not here: most are the license server's own and
// pass through as its strings.
#ifndef GG_IPC_WIRE_CODE_H_
#define GG_IPC_WIRE_CODE_H_

#include <iosfwd>
#include <string_view>

namespace gg::ipc {

enum class WireCode {
  kBadRequest,       // not JSON, not an object
  kValidationError,  // a field is missing, of the wrong type or shape
  kUnknownOp,
  kUnsupportedVersion,  // "v" other than 1
  kFrameTooLarge,
  kSessionNotFound,  // unknown, or not the caller's
  kForbidden,        // `sessions` or `metrics` from an unprivileged peer
  kBusy,             // too many connections or requests in flight
  kRateLimited,      // too many uncached keys from this uid
  kInternal,
};

std::string_view Name(WireCode code);
std::ostream& operator<<(std::ostream& out, WireCode code);

}  // namespace gg::ipc

#endif  // GG_IPC_WIRE_CODE_H_
