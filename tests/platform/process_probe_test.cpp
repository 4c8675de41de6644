// The pure /proc/<pid>/stat parser every OS compiles.
#include "platform/process_probe.h"

#include <string>

#include <gtest/gtest.h>

namespace gg {
namespace {

// /proc/<pid>/stat parsing: field 22 after a command with spaces and ')'.
TEST(ProcStatTest, ParsesStartTime) {
  const std::string stat =
      "1234 (my (odd) app) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 "
      "0 1 0 987654 12345678 100\n";
  EXPECT_EQ(ParseProcStatStartTime(stat), 987654u);
  EXPECT_FALSE(ParseProcStatStartTime("1234 (zz) Z 1 1 1 0 -1 0 0 0 0 0 0 0 "
                                      "0 0 20 0 1 0 555 0 0")
                   .has_value());
  EXPECT_FALSE(ParseProcStatStartTime("garbage").has_value());
  EXPECT_FALSE(ParseProcStatStartTime("1 (a) S 1 2").has_value());
}

}  // namespace
}  // namespace gg
