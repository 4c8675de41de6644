#include "platform/time_format.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace gg {

namespace {

std::string Format(std::chrono::sys_seconds secs) {
  auto days = std::chrono::floor<std::chrono::days>(secs);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{secs - days};
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

std::string FormatRfc3339(WallTime t) {
  // Civil-from-days arithmetic from <chrono>: no gmtime_r, same on every OS.
  return Format(std::chrono::floor<std::chrono::seconds>(t));
}

std::string FormatRfc3339(UnixTime t) {
  constexpr long long kFirst = -62167219200LL;  // 0000-01-01T00:00:00Z
  constexpr long long kLast = 253402300799LL;   // 9999-12-31T23:59:59Z
  return Format(std::chrono::sys_seconds(
      std::chrono::seconds(std::clamp(t.seconds, kFirst, kLast))));
}

}  // namespace gg
