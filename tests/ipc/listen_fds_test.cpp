// Sockets handed over by systemd (listen_fds.cpp): LISTEN_FDS and
// LISTEN_PID as sd_listen_fds(3) reads them.
#include "ipc/listen_fds.h"

#include <gtest/gtest.h>

namespace gg::ipc {
namespace {

// LISTEN_FDS: used only for our pid, malformed values are errors.
TEST(ListenFdsTest, ParsesPerSdListenFds) {
  auto none = ParseListenFds(std::nullopt, std::nullopt, 10);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  auto mine = ParseListenFds("10", "2", 10);
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(*mine, (std::vector<int>{3, 4}));
  auto other = ParseListenFds("11", "2", 10);
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(other->empty());
  EXPECT_FALSE(ParseListenFds("x", "1", 10).has_value());
  EXPECT_FALSE(ParseListenFds("10", "0", 10).has_value());
  EXPECT_FALSE(ParseListenFds("10", "1x", 10).has_value());
}

}  // namespace
}  // namespace gg::ipc
