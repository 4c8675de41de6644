// The time and header formats of upstream answers (time_parse.cpp): RFC
// 3339, HTTP dates and Retry-After.
#include <gtest/gtest.h>

#include "agent/upstream/response.h"

namespace gg::upstream {
namespace {

// RFC 3339: Z, offsets and fractions; malformed text is nullopt.
TEST(TimeParseTest, Rfc3339) {
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("2027-01-01T00:00:00Z")), 1798761600);
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("2027-01-01T02:00:00+02:00")),
            1798761600);
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("2026-12-31T23:30:00-00:30")),
            1798761600);
  // Signed times are whole seconds: a fraction rounds down.
  auto frac = ParseRfc3339("2027-01-01T00:00:00.5Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(UnixSeconds(*frac), 1798761600);
  // Past 2262, where a nanosecond WallTime would wrap (to 1816).
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("9999-12-31T23:59:59Z")), 253402300799);
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("2262-04-12T00:00:00Z")), 9223372800);
  EXPECT_EQ(UnixSeconds(*ParseRfc3339("0000-01-01T00:00:00Z")), -62167219200);
  for (const char* bad :
       {"", "2027-01-01", "2027-01-01T00:00:00", "2027-02-30T00:00:00Z",
        "2027-01-01T25:00:00Z", "2027-01-01T00:00:00Zjunk",
        "2027-01-01T00:00:00+0200", "2027-01-01 00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

// HTTP Date (IMF-fixdate) and Retry-After delta-seconds.
TEST(TimeParseTest, HttpDateAndRetryAfter) {
  EXPECT_EQ(UnixSeconds(*ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")),
            784111777);
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_EQ(ParseRetryAfter("2"), std::chrono::seconds(2));
  EXPECT_EQ(ParseRetryAfter(" 60 "), std::chrono::seconds(60));
  EXPECT_FALSE(ParseRetryAfter(""));
  EXPECT_FALSE(ParseRetryAfter("-1"));
  EXPECT_FALSE(ParseRetryAfter("-99999999999999999999999"));
  // The server's value is kept (the client caps it and logs it), saturated
  // where it could overflow later arithmetic.
  EXPECT_EQ(ParseRetryAfter("1000000000000"),
            std::chrono::seconds(1000000000000LL));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999"),
            std::chrono::seconds(1'000'000'000'000'000LL));
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
}

}  // namespace
}  // namespace gg::upstream
