// RFC 3339 UTC timestamps as the API and the local protocol write them:
// "2026-11-22T08:00:00Z" (whole seconds, always Z).
#ifndef GG_PLATFORM_TIME_FORMAT_H_
#define GG_PLATFORM_TIME_FORMAT_H_

#include <string>

#include "platform/clock.h"

namespace gg {

std::string FormatRfc3339(WallTime t);

}  // namespace gg

#endif  // GG_PLATFORM_TIME_FORMAT_H_
