#include "bench/strace_log.h"

#include <gtest/gtest.h>

namespace gg::bench {
namespace {

// Reads and writes on the IPC Unix socket count as IPC, not as violations.
TEST(StraceLogTest, UnixSocketTrafficIsIpc) {
  TraceSummary s = ClassifyStraceLog(
      "4242  read(9<UNIX-STREAM:[100->101,/tmp/a.sock]>, \"{\\\"v\\\":1\", "
      "65536) = 120\n"
      "4242  write(9<UNIX-STREAM:[100->101,/tmp/a.sock]>, \"{}\\n\", 3) = 3\n");
  EXPECT_EQ(s.ipc["read"], 1);
  EXPECT_EQ(s.ipc["write"], 1);
  EXPECT_TRUE(s.violations.empty());
}

// Disk and network calls are violations: cache.db writes, opens, connects.
TEST(StraceLogTest, DiskAndNetworkAreViolations) {
  TraceSummary s = ClassifyStraceLog(
      "7 pwrite64(5</tmp/s/cache.db-wal>, \"x\", 1, 0) = 1\n"
      "7 openat(AT_FDCWD, \"/tmp/s/cache.db\", O_RDWR) = 6\n"
      "7 fdatasync(5</tmp/s/cache.db-wal>) = 0\n"
      "8 connect(11<TCP:[0.0.0.0:0]>, {sa_family=AF_INET}, 16) = 0\n"
      "8 write(2</tmp/agent.log>, \"log\", 3) = 3\n");
  EXPECT_EQ(s.violations.size(), 5u);
  EXPECT_EQ(s.IpcCount(), 0);
}

// Eventfd wake-ups are internal; attach notes, signals and resumed tails are
// not calls.
TEST(StraceLogTest, WakeupsAndNoiseAreNotViolations) {
  TraceSummary s = ClassifyStraceLog(
      "7 write(4<anon_inode:[eventfd]>, \"\\1\\0\", 8) = 8\n"
      "7 read(4<anon_inode:[eventfd]>, \"\\1\\0\", 8) = 8\n"
      "8 <... read resumed>\"x\", 10) = 1\n"
      "8 --- SIGINT {si_signo=SIGINT} ---\n"
      "8 +++ exited with 0 +++\n");
  EXPECT_EQ(s.internal["write"], 1);
  EXPECT_EQ(s.internal["read"], 1);
  EXPECT_TRUE(s.violations.empty());
  EXPECT_EQ(s.IpcCount(), 0);
}

}  // namespace
}  // namespace gg::bench
