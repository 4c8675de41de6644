// Attacks on the socket's edges (issue 16 points 1 and 3): a socket
// directory someone else controls, inherited descriptors that are not a
// listening socket, and running out of descriptors.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "tests/attacks/attack_support.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// The socket goes in <dir>/sub/a.sock, so the test controls sub's owner
// and mode.
class SocketDirTest : public E2eTest {
 protected:
  void MakeAgentIn(const std::filesystem::path& sub) {
    ASSERT_TRUE(MakeAgent(json::object(), /*start=*/false));
    sub_ = agent_->Dir() / sub;
    ASSERT_EQ(::mkdir(sub_.c_str(), 0755), 0) << std::strerror(errno);
    AgentOptions options;
    options.config_patch = {{"ipc", {{"path", (sub_ / "a.sock").string()}}}};
    ASSERT_TRUE(agent_->WriteConfig(options));
  }
  Result<ExitStatus> Run() {
    return AgentProcess::RunToExit(
        {"run", "--config", agent_->ConfigPath().string()}, seconds(15));
  }
  std::filesystem::path sub_;
};

// A user who owns the socket directory could swap the socket for a link
// between bind and chmod: the agent refuses such a directory at start.
TEST_F(SocketDirTest, RefusesADirectoryOwnedBySomeoneElse) {
  if (!attacks::CanSwitchUsers())
    GTEST_SKIP() << "needs root to give a directory away";
  MakeAgentIn("mallory");
  ASSERT_EQ(::chown(sub_.c_str(), attacks::kMallory, attacks::kMallory), 0);
  auto run = Run();
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 2) << run->output;
  EXPECT_NE(run->output.find("ipc.path"), std::string::npos) << run->output;
  EXPECT_FALSE(std::filesystem::exists(sub_ / "a.sock"));
}

// The same for a directory anyone may write to (even with the sticky bit
// a user can plant a link at the socket's name between restarts).
TEST_F(SocketDirTest, RefusesADirectoryOthersMayWrite) {
  MakeAgentIn("open");
  ASSERT_EQ(::chmod(sub_.c_str(), 01777), 0);
  auto run = Run();
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 2) << run->output;
  EXPECT_NE(run->output.find("ipc.path"), std::string::npos) << run->output;
}

// A socket in a directory of the agent's own is created with its mode
// already right, whatever the umask the agent inherited.
TEST_F(E2eTest, SocketHasItsModeFromTheStart) {
  ASSERT_TRUE(MakeAgent({{"ipc", {{"mode", "0660"}}}}, /*start=*/false));
  ASSERT_EQ(::chmod(agent_->Dir().c_str(), 0755), 0);
  const mode_t old_umask = ::umask(0);  // inherited by the agent
  auto started = agent_->Start();
  ::umask(old_umask);
  ASSERT_TRUE(started) << started.error().message;
  struct stat st {};
  ASSERT_EQ(::lstat(agent_->SocketPath().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

// Inherited LISTEN_FDS that are not a listening stream socket make the
// agent exit 2 naming the problem, instead of spinning on accept errors.
TEST_F(E2eTest, InheritedDescriptorMustBeAListeningSocket) {
  ASSERT_TRUE(MakeAgent(json::object(), /*start=*/false));
  struct Case {
    const char* what;
    int fd;
    const char* expected;
  };
  const int file = ::open((agent_->Dir() / "not-a-socket").c_str(),
                          O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(file, 0);
  const int dgram = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(dgram, 0);
  const int unlistened = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(unlistened, 0);
  for (const Case& c :
       {Case{"a regular file", file, "not a socket"},
        Case{"a datagram socket", dgram, "not a stream"},
        Case{"a socket not listening", unlistened, "not listening"}}) {
    auto run = agent_->RunWithListenFd(c.fd, seconds(10));
    ASSERT_TRUE(run) << c.what << ": " << run.error().message;
    EXPECT_EQ(run->code, 2) << c.what << ": " << run->output;
    EXPECT_NE(run->output.find("LISTEN_FDS"), std::string::npos)
        << c.what << ": " << run->output;
    EXPECT_NE(run->output.find(c.expected), std::string::npos)
        << c.what << ": " << run->output;
    EXPECT_LT(run->output.size(), 64u * 1024) << c.what;
  }
  ::close(file);
  ::close(dgram);
  ::close(unlistened);
}

std::vector<int> OpenConnections(const std::filesystem::path& path, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    auto fd = attacks::ConnectRaw(path);
    if (fd)
      fds.push_back(*fd);
  }
  return fds;
}

// Under a 128-descriptor limit, 200 connections: maxConnections is held
// below the real limit (shown in status), so the agent refuses with BUSY
// instead of failing accept in a loop; the log stays small, and once the
// connections go, apps are served again.
TEST_F(E2eTest, DescriptorLimitKeepsTheAgentResponsive) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"ipc", {{"maxConnectionsPerUid", 1000}}}},
                        /*start=*/false));
  agent_->SetNofileLimit(128);
  ASSERT_TRUE(agent_->Start());
  auto admin = Connect();
  ASSERT_TRUE(admin);
  auto status = admin->Call({{"op", "status"}});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->value("fdLimit", 0), 128) << status->dump();
  const int max = status->value("maxConnections", 0);
  EXPECT_GT(max, 0) << status->dump();
  EXPECT_LT(max, 128) << status->dump();
  admin.reset();

  const std::size_t log_before = agent_->Log().size();
  std::vector<int> fds = OpenConnections(agent_->SocketPath(), 200);
  ASSERT_EQ(fds.size(), 200u);
  // Every connection is either served or refused with BUSY: a ping on each
  // gets one line back.
  const std::string ping = R"({"v":1,"id":1,"op":"ping"})"
                           "\n";
  // A refused connection may be closed already (EPIPE): its BUSY line is
  // still there to read.
  for (int fd : fds)
    (void)::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL);
  int served = 0;
  int busy = 0;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  for (int fd : fds) {
    auto line = attacks::ReadLineRaw(fd, deadline);
    if (!line)
      continue;
    if (line->value("ok", false))
      ++served;
    else if (line->contains("error") && (*line)["error"]["code"] == "BUSY")
      ++busy;
  }
  EXPECT_EQ(served + busy, 200) << served << " served, " << busy << " busy";
  EXPECT_GT(busy, 0);
  EXPECT_LE(served, max);
  for (int fd : fds)
    ::close(fd);
  EXPECT_LT(agent_->Log().size() - log_before, 256u * 1024)
      << "the log grew by " << agent_->Log().size() - log_before << " bytes";
  std::unique_ptr<NdjsonClient> again;
  ASSERT_TRUE(PollUntil(
      [&] {
        auto c = NdjsonClient::Connect(agent_->SocketPath());
        if (!c)
          return false;
        auto pong = (*c)->Call({{"op", "ping"}});
        return pong && pong->value("ok", false);
      },
      seconds(20)))
      << "the agent no longer answers after the descriptor flood";
  EXPECT_TRUE(agent_->Running());
}

}  // namespace
}  // namespace gg::e2e
