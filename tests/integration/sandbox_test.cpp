// End to end under what the shipped unit imposes on gg-agent: another user
// than the apps' (User=gg-agent) and a /proc that hides other users'
// processes (ProtectProc=invisible, emulated by a private hidepid=invisible
// mount). Root only: mounting and changing user need it (CI runs as root).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/detached_app.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

constexpr uid_t kAgentUid = 65534;  // nobody: owns none of the apps
constexpr gid_t kAgentGid = 65534;

// unshare a mount namespace, mount /proc with hidepid=invisible, drop to
// kAgentUid and check that /proc/1 (root's) is invisible before exec'ing
// the agent: a sandbox that does not hide it fails the start (exit 99).
std::vector<std::string> UnitSandbox() {
  // The inner script reaches the outer one as its $0, so nothing is quoted
  // twice.
  const std::string as_agent =
      "[ ! -e /proc/1 ] || { echo 'sandbox: /proc/1 is visible' >&2; "
      "exit 99; }; exec \"$@\"";
  const std::string outer =
      "mount -t proc -o hidepid=invisible proc /proc && exec /usr/bin/setpriv "
      "--reuid=" +
      std::to_string(kAgentUid) + " --regid=" + std::to_string(kAgentGid) +
      " --clear-groups --inh-caps=-all --bounding-set=-all /bin/sh -c \"$0\" "
      "sh \"$@\"";
  return {"/usr/bin/unshare", "--mount", "--propagation", "private", "--",
          "/bin/sh",          "-c",      outer,           as_agent};
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

}  // namespace
}  // namespace gg::e2e
