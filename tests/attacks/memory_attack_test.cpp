// Attacks on the agent's memory (issue 10 point 14): another process of
// the agent's own user reads its memory through /proc to get the API key
// and the signing secret.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/agent_process.h"

namespace gg::e2e {
namespace {

constexpr uid_t kNobody = 65534;

// Opens /proc/PID/<file> as `uid` (a child process when that is not us);
// 0 when it opened, else the errno.
int OpenProcFileAs(uid_t uid, pid_t pid, const char* file) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  if (uid == ::geteuid()) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return errno;
    ::close(fd);
    return 0;
  }
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 ||
        ::setuid(uid) != 0)
      ::_exit(255);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ::_exit(fd < 0 ? (errno & 0x7f) : 0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A process of the agent's own user cannot open the agent's memory or
// environment: the agent made itself non-dumpable at start.
TEST(MemoryAttackTest, SameUserCannotReadTheAgentsMemory) {
  auto agent = AgentProcess::Create({});
  ASSERT_TRUE(agent) << agent.error().message;
  // Root may read any process; the attack is by an ordinary account, so
  // under root both the agent and the attacker run as nobody.
  const uid_t user = ::geteuid() == 0 ? kNobody : ::geteuid();
  if (::geteuid() == 0) {
    ASSERT_TRUE((*agent)->RunAs(kNobody, kNobody));
  }
  ASSERT_TRUE((*agent)->Start()) << (*agent)->Log();
  for (const char* file : {"mem", "environ"}) {
    EXPECT_EQ(OpenProcFileAs(user, (*agent)->Pid(), file), EACCES)
        << "/proc/PID/" << file << " of the agent opened by uid " << user;
  }
}

// The check above can fail: the same user opens the environment of one of
// its processes that did not harden itself (what the agent was before).
TEST(MemoryAttackTest, SameUserCanReadAnUnhardenedProcess) {
  const uid_t user = ::geteuid() == 0 ? kNobody : ::geteuid();
  int exec_pipe[2];
  ASSERT_EQ(::pipe2(exec_pipe, O_CLOEXEC), 0);
  pid_t sleeper = ::fork();
  if (sleeper == 0) {
    ::close(exec_pipe[0]);
    if (user != ::geteuid() && (::setgroups(0, nullptr) != 0 ||
                                ::setgid(user) != 0 || ::setuid(user) != 0))
      ::_exit(255);
    ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(sleeper, 0);
  // The pipe closes at exec: from then on the child is sleep, made
  // dumpable again by the kernel (setuid alone leaves it non-dumpable).
  ::close(exec_pipe[1]);
  char byte;
  while (::read(exec_pipe[0], &byte, 1) > 0) {
  }
  ::close(exec_pipe[0]);
  EXPECT_EQ(OpenProcFileAs(user, sleeper, "environ"), 0);
  ::kill(sleeper, SIGKILL);
  int status = 0;
  ::waitpid(sleeper, &status, 0);
}

}  // namespace
}  // namespace gg::e2e
