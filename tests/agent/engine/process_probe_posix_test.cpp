// The real process probe of this OS (POSIX: it forks a child).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/engine/process_probe.h"

namespace gg::agent {
namespace {

// The real probe sees this process (stably) and not a reaped child.
TEST(SystemProcessProbeTest, OwnPidAliveReapedChildGone) {
  auto probe = MakeSystemProcessProbe();
  const auto self = probe->StartTime(static_cast<int>(::getpid()));
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(probe->StartTime(static_cast<int>(::getpid())), self);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(probe->StartTime(static_cast<int>(child)).has_value());
  EXPECT_FALSE(probe->StartTime(0).has_value());
}

}  // namespace
}  // namespace gg::agent
