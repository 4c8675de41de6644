// Crash safety: a child process writes verdicts and reports each one the
// store acknowledged; it is killed with SIGKILL at varying moments, and
// after every kill the database passes integrity_check and holds every
// acknowledged verdict.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "test_verdicts.h"

namespace gg::store::testing {
namespace {

std::string KeyName(int round, std::uint32_t i) {
  return "KEY-" + std::to_string(round) + "-" + std::to_string(i);
}

// The child: never returns. Exit 0 after a bounded number of writes, 2 on
// any store error (the parent then fails the test).
[[noreturn]] void WriterChild(const StoreOptions& options, int round, int fd) {
  auto store = SqliteVerdictStore::Open(options);
  if (!store)
    ::_exit(2);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    if (!(*store)->PutVerdict(MakeVerdict("prod-crash", KeyName(round, i))))
      ::_exit(2);
    if (::write(fd, &i, sizeof i) != sizeof i)
      ::_exit(3);
  }
  ::_exit(0);
}

// Reads one acknowledgement; false at end of file.
bool ReadAck(int fd, std::uint32_t* ack) {
  std::size_t got = 0;
  auto* p = reinterpret_cast<char*>(ack);
  while (got < sizeof *ack) {
    ssize_t n = ::read(fd, p + got, sizeof *ack - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// Twenty rounds, each killing the writer after a different number of
// acknowledgements (0 kills it while it may still be opening the store).
TEST_F(StoreTest, KillNineLosesNoAcknowledgedVerdict) {
  std::set<std::string> acknowledged;
  for (int round = 0; round < 20; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      WriterChild(Options(), round, fds[1]);
    }
    ::close(fds[1]);
    const int kill_after = (round * 7) % 23;
    std::uint32_t ack = 0;
    int acks = 0;
    while (acks < kill_after && ReadAck(fds[0], &ack)) {
      acknowledged.insert(KeyName(round, ack));
      ++acks;
    }
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    // Acks written before the kill are still in the pipe.
    while (ReadAck(fds[0], &ack))
      acknowledged.insert(KeyName(round, ack));
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "writer exited with " << WEXITSTATUS(status) << " in round "
        << round;

    auto store = OpenStore();
    ASSERT_TRUE(store) << "round " << round;
    EXPECT_FALSE(store->recreated()) << "round " << round;
    EXPECT_EQ(RawText(DbPath(), "PRAGMA integrity_check"), "ok");
    auto rows = store->LoadVerdicts();
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(store->dropped_rows(), 0);
    std::set<std::string> present;
    for (const auto& row : *rows)
      present.insert(row.key.license_key);
    for (const auto& key : acknowledged)
      ASSERT_TRUE(present.count(key)) << key << " lost in round " << round;
  }
  EXPECT_GT(acknowledged.size(), 100u);
}

}  // namespace
}  // namespace gg::store::testing
