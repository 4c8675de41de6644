// End to end under what the shipped unit imposes on gg-agent: another user
// than the apps' (User=gg-agent), CAP_DAC_READ_SEARCH as its one ambient
// capability (AmbientCapabilities=) and a /proc that hides other users'
// processes (ProtectProc=invisible, emulated by a private hidepid=invisible
// mount). Root only: mounting and changing user need it (CI runs as root).
// systemd itself is not PID 1 here, so the unit is emulated, not run.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/hwid/fixture_tree.h"
#include "tests/integration/detached_app.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

constexpr uid_t kAgentUid = 65534;  // nobody: owns none of the apps
constexpr gid_t kAgentGid = 65534;

// unshare a mount namespace, mount /proc with hidepid=invisible, drop to
// kAgentUid (with CAP_DAC_READ_SEARCH as its only, ambient, capability when
// `with_cap`, as the unit's AmbientCapabilities= gives it) and check that
// /proc/1 (root's) is invisible before exec'ing the agent: a sandbox that
// does not hide it fails the start (exit 99).
std::vector<std::string> UnitSandbox(bool with_cap = true) {
  // The inner script reaches the outer one as its $0, so nothing is quoted
  // twice.
  const std::string as_agent =
      "[ ! -e /proc/1 ] || { echo 'sandbox: /proc/1 is visible' >&2; "
      "exit 99; }; exec \"$@\"";
  const std::string caps = with_cap ? "-all,+dac_read_search" : "-all";
  const std::string outer =
      "mount -t proc -o hidepid=invisible proc /proc && exec /usr/bin/setpriv "
      "--reuid=" +
      std::to_string(kAgentUid) + " --regid=" + std::to_string(kAgentGid) +
      " --clear-groups --inh-caps=" + caps + " --ambient-caps=" + caps +
      " --bounding-set=" + caps + " /bin/sh -c \"$0\" sh \"$@\"";
  return {"/usr/bin/unshare", "--mount", "--propagation", "private", "--",
          "/bin/sh",          "-c",      outer,           as_agent};
}

// One "Name:\tvalue" line of /proc/PID/status.
std::string ProcStatus(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      auto value = line.substr(name.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return "(no " + name + ")";
}

std::string Fingerprint(const std::filesystem::path& socket) {
  auto client = NdjsonClient::Connect(socket);
  if (!client)
    return "error: " + client.error().message;
  auto status = (*client)->Call({{"op", "status"}});
  if (!status)
    return "error: " + status.error().message;
  return status->value("machineFingerprint", "");
}

bool CanSandbox() {
  return ::geteuid() == 0 && std::filesystem::exists("/usr/bin/unshare") &&
         std::filesystem::exists("/usr/bin/setpriv");
}

// An app holding a detached seat is SIGKILLed; the very next ask gets the
// seat, long before the heartbeat timeout (an hour here), although the
// agent cannot see the app in /proc: it watches the app through a pidfd.
TEST_F(E2eTest, CrashedAppSeatFreedAtOnceUnderUnitSandbox) {
  if (!CanSandbox())
    GTEST_SKIP() << "needs root, unshare and setpriv";
  FixtureChanges changes;
  changes.extra_allow_keys = {"E2E-SANDBOX-SEAT"};
  changes.max_sessions = 1;
  ASSERT_TRUE(StartServer(&changes));
  AgentOptions options;
  options.base_url = server_->BaseUrl();
  options.config_patch = {
      {"policy", {{"sessionHeartbeatTimeoutSeconds", 3600}}}};
  options.command_prefix = UnitSandbox();
  auto agent = AgentProcess::Create(options);
  ASSERT_TRUE(agent) << agent.error().message;
  agent_ = std::move(*agent);
  ASSERT_TRUE(agent_->ChownTree(kAgentUid, kAgentGid));
  auto started = agent_->Start();
  ASSERT_TRUE(started) << started.error().message;

  auto app =
      StartDetachedApp(agent_->SocketPath(), kProduct, "E2E-SANDBOX-SEAT");
  ASSERT_TRUE(app) << app.error().message;
  ASSERT_EQ(app->answer.value("allow", false), true) << app->answer.dump();
  auto other = Connect();
  ASSERT_TRUE(other);
  json taken = AuthorizeOnce(*other, kProduct, "E2E-SANDBOX-SEAT");
  EXPECT_EQ(taken.value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << taken.dump();

  ASSERT_EQ(::kill(app->pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(app->pid, &status, 0), app->pid);
  json next = AuthorizeOnce(*other, kProduct, "E2E-SANDBOX-SEAT");
  EXPECT_EQ(next.value("allow", false), true) << next.dump() << agent_->Log();
}

// The root-only hardware parts (DMI files of mode 0400 in the fixture) are
// read with the one capability, so the machine key enrolled by a root run
// is kept; once started, the agent holds no capability at all and cannot
// gain one (NoNewPrivs).
TEST_F(E2eTest, AgentReadsRootOnlyPartsThenDropsEveryCapability) {
  if (!CanSandbox())
    GTEST_SKIP() << "needs root, unshare and setpriv";
  hwid::testing::FixtureTree machine;
  machine.BareMetal();
  AgentOptions options;
  options.config_patch = {{"hwid", {{"root", machine.root().string()}}}};
  auto agent = AgentProcess::Create(options);
  ASSERT_TRUE(agent) << agent.error().message;
  agent_ = std::move(*agent);
  ASSERT_TRUE(agent_->Start());  // as root: enrolls every part
  const std::string enrolled = Fingerprint(agent_->SocketPath());
  ASSERT_EQ(enrolled.size(), 16u) << enrolled;
  ASSERT_EQ(agent_->Stop(), 0);

  options.command_prefix = UnitSandbox(/*with_cap=*/true);
  agent = AgentProcess::Create(options);
  ASSERT_TRUE(agent) << agent.error().message;
  std::error_code ec;
  std::filesystem::copy(agent_->StateDir(), (*agent)->StateDir(),
                        std::filesystem::copy_options::recursive, ec);
  ASSERT_FALSE(ec) << ec.message();
  agent_ = std::move(*agent);
  ASSERT_TRUE(agent_->ChownTree(kAgentUid, kAgentGid));
  auto started = agent_->Start();
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(Fingerprint(agent_->SocketPath()), enrolled) << agent_->Log();
  const pid_t pid = agent_->Pid();
  EXPECT_EQ(ProcStatus(pid, "Uid").substr(0, 5), "65534");
  for (const char* set : {"CapPrm", "CapEff", "CapInh", "CapAmb"})
    EXPECT_EQ(ProcStatus(pid, set), "0000000000000000") << set;
  EXPECT_EQ(ProcStatus(pid, "NoNewPrivs"), "1");
  EXPECT_NE(agent_->Log().find("all capabilities dropped"), std::string::npos)
      << agent_->Log();
}

// Without the capability the enrolled root-only parts cannot be read: the
// agent refuses to start rather than enroll the machine under a new key.
TEST_F(E2eTest, AgentWithoutTheCapabilityRefusesToReenroll) {
  if (!CanSandbox())
    GTEST_SKIP() << "needs root, unshare and setpriv";
  hwid::testing::FixtureTree machine;
  machine.BareMetal();
  AgentOptions options;
  options.config_patch = {{"hwid", {{"root", machine.root().string()}}}};
  auto agent = AgentProcess::Create(options);
  ASSERT_TRUE(agent) << agent.error().message;
  agent_ = std::move(*agent);
  ASSERT_TRUE(agent_->Start());
  ASSERT_EQ(agent_->Stop(), 0);

  options.command_prefix = UnitSandbox(/*with_cap=*/false);
  agent = AgentProcess::Create(options);
  ASSERT_TRUE(agent) << agent.error().message;
  std::error_code ec;
  std::filesystem::copy(agent_->StateDir(), (*agent)->StateDir(),
                        std::filesystem::copy_options::recursive, ec);
  ASSERT_FALSE(ec) << ec.message();
  agent_ = std::move(*agent);
  ASSERT_TRUE(agent_->ChownTree(kAgentUid, kAgentGid));
  auto started = agent_->Start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("CAP_DAC_READ_SEARCH"),
            std::string::npos)
      << started.error().message;
  EXPECT_NE(started.error().message.find("not enrolling this machine anew"),
            std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace gg::e2e
