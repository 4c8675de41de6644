// The real ggctl binary against a real server process with the fake
// handler: output modes and exit codes (0 allow/ok, 3 deny, 1 error).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/ipc/test_util.h"
#include "tests/test_paths.h"

extern char** environ;

namespace gg::ipc::testing {
namespace {

constexpr char kProduct[] = "123e4567-e89b-12d3-a456-426614174000";

struct CommandResult {
  int code = -1;
  std::string out;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) {
    return r;
  }
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
    r.out.append(buf, n);
  }
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class GgctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.path() + "/agent.sock";
    const char* argv[] = {gg::test::IpcTestServerPath(), socket_.c_str(),
                          nullptr};
    ASSERT_EQ(posix_spawn(&pid_, gg::test::IpcTestServerPath(), nullptr,
                          nullptr, const_cast<char**>(argv), environ),
              0);
    // Poll with a bounded deadline until the server process accepts.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      LineClient probe(socket_);
      if (probe.connected()) {
        return;
      }
      usleep(10000);
    }
    FAIL() << "test server did not start";
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  CommandResult Ctl(const std::string& args) {
    return RunCommand(std::string(gg::test::GgctlPath()) + " --socket " +
                      socket_ + " " + args);
  }

  TempDir dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

// ping: exit 0 and "ok".
TEST_F(GgctlTest, Ping) {
  CommandResult r = Ctl("ping");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "ok\n");
}

// check: 0 for an allow, 3 for a deny, 1 for an error answer.
TEST_F(GgctlTest, CheckExitCodes) {
  CommandResult allow = Ctl(std::string("check ") + kProduct + " good");
  EXPECT_EQ(allow.code, 0);
  EXPECT_NE(allow.out.find("allow"), std::string::npos);
  CommandResult deny = Ctl(std::string("check ") + kProduct + " deny-key");
  EXPECT_EQ(deny.code, 3);
  EXPECT_NE(deny.out.find("HWID_MISMATCH"), std::string::npos);
  EXPECT_EQ(Ctl(std::string("check ") + kProduct + " error-key").code, 1);
  EXPECT_EQ(Ctl("check not-a-uuid key").code, 1);
}

// --json prints the raw answer; status and sessions exit 0.
TEST_F(GgctlTest, JsonStatusAndSessions) {
  CommandResult status = Ctl("--json status");
  ASSERT_EQ(status.code, 0);
  auto j = nlohmann::json::parse(status.out, nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["version"], "9.9.9");
  CommandResult human = Ctl("status");
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("9.9.9"), std::string::npos);
  CommandResult sessions = Ctl("--json sessions");
  EXPECT_EQ(sessions.code, 0);
  EXPECT_TRUE(
      nlohmann::json::parse(sessions.out, nullptr, false).contains("sessions"));
}

// GG_AGENT_SOCKET is used when --socket is not given.
TEST_F(GgctlTest, EnvironmentSocket) {
  CommandResult r = RunCommand("GG_AGENT_SOCKET=" + socket_ + " " +
                               gg::test::GgctlPath() + " ping");
  EXPECT_EQ(r.code, 0);
}

// The stdlib Python example speaks the protocol: 0 licensed, 3 denied.
TEST_F(GgctlTest, PythonExampleClient) {
  std::string py = "GG_AGENT_SOCKET=" + socket_ + " python3 " +
                   std::string(gg::test::SourceDir()) +
                   "/examples/gg_client.py " + kProduct + " ";
  EXPECT_EQ(RunCommand(py + "good").code, 0);
  EXPECT_EQ(RunCommand(py + "deny-key").code, 3);
}

// No agent: exit 1 for every command, never 0.
TEST(GgctlAbsentTest, AgentAbsentIsError) {
  TempDir dir;
  std::string base = std::string(gg::test::GgctlPath()) + " --socket " +
                     dir.path() + "/none.sock ";
  EXPECT_EQ(RunCommand(base + "ping").code, 1);
  EXPECT_EQ(RunCommand(base + "check " + kProduct + " good").code, 1);
  EXPECT_EQ(RunCommand(base + "status").code, 1);
  EXPECT_EQ(RunCommand(std::string(gg::test::GgctlPath()) + " bogus").code, 1);
}

}  // namespace
}  // namespace gg::ipc::testing
