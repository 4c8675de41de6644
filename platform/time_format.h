// RFC 3339 UTC timestamps as the API and the local protocol write them:
// "2026-11-22T08:00:00Z" (whole seconds, always Z).
#ifndef GG_PLATFORM_TIME_FORMAT_H_
#define GG_PLATFORM_TIME_FORMAT_H_

#include <string>

#include "platform/clock.h"

namespace gg {

std::string FormatRfc3339(WallTime t);

// The same for a signed instant; held to 0000-01-01T00:00:00Z ..
// 9999-12-31T23:59:59Z, the range RFC 3339 can write (a grace end of
// serverTime + 2^53 s prints as the last second of 9999).
std::string FormatRfc3339(UnixTime t);

}  // namespace gg

#endif  // GG_PLATFORM_TIME_FORMAT_H_
