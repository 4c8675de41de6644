// RFC 3339 formatting (time_format.cpp).
#include "platform/time_format.h"

#include <gtest/gtest.h>

namespace gg {
namespace {

// RFC 3339 formatting of known instants, including before 1970 and leap days.
TEST(TimeFormat, Rfc3339KnownInstants) {
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(1763790001)), "2025-11-22T05:40:01Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(951782400)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(-1)), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace gg
