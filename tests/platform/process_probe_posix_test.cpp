// The real process probe of this OS (POSIX: it forks children).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/process_probe.h"

namespace gg {
namespace {

pid_t ForkSleeper() {
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  return child;
}

// A live process is not reported exited; a killed one is at once, while
// still an unreaped zombie (no wait for a reaper), and stays so after.
TEST(SystemProcessProbeTest, ExitSeenAtOnceZombieIncluded) {
  auto probe = MakeSystemProcessProbe();
  auto self = probe->Watch(static_cast<int>(::getpid()));
  ASSERT_NE(self, nullptr);
  EXPECT_FALSE(self->Exited());

  const pid_t child = ForkSleeper();
  ASSERT_GT(child, 0);
  auto watched = probe->Watch(static_cast<int>(child));
  ASSERT_NE(watched, nullptr);
  EXPECT_FALSE(watched->Exited());
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  // The zombie exists until waitpid: wait for it to be one without reaping.
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT),
            0);
  EXPECT_TRUE(watched->Exited());
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(watched->Exited());
  EXPECT_FALSE(self->Exited());
}

// A pid with no process gives a handle that has exited; pid 0 (a peer the
// kernel could not map into our pid namespace) cannot be watched.
TEST(SystemProcessProbeTest, GonePidExitedUnknownPidNull) {
  auto probe = MakeSystemProcessProbe();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  auto gone = probe->Watch(static_cast<int>(child));
  ASSERT_NE(gone, nullptr);
  EXPECT_TRUE(gone->Exited());
  EXPECT_EQ(probe->Watch(0), nullptr);
  EXPECT_EQ(probe->Watch(-1), nullptr);
}

}  // namespace
}  // namespace gg
