// Errors are values: every fallible call returns Result<T>, never throws.
//
// Error::code is one of the internal codes (error_code.h); Error::message is
// for people and must never contain a secret.
#ifndef GG_PLATFORM_RESULT_H_
#define GG_PLATFORM_RESULT_H_

#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "platform/error_code.h"

namespace gg {

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

// Result<void> for calls that only succeed or fail.
using Status = tl::expected<void, Error>;

[[nodiscard]] inline tl::unexpected<Error> MakeError(ErrorCode code,
                                                     std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

[[nodiscard]] inline Status Ok() {
  return {};
}

}  // namespace gg

#endif  // GG_PLATFORM_RESULT_H_
