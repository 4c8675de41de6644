// End to end, hardware binding: a copy of the state directory and of
// /etc/machine-id into a place with no DMI, NICs or disks is not the same
// machine, and `gg-agent hwid` run without the rights to read enrolled
// parts says so instead of claiming a match. Hardware comes from fixture
// trees (tests/hwid) through `hwid.root`.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/hwid/fixture_tree.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using hwid::testing::FixtureTree;
using nlohmann::json;
namespace fs = std::filesystem;

std::string Fingerprint(NdjsonClient& client) {
  auto status = client.Call({{"op", "status"}});
  if (!status)
    return "error: " + status.error().message;
  return status->value("machineFingerprint", "");
}

// The machine key a real agent enrolled on bare metal is not accepted from
// a copy of its state and machine-id alone: the copy gets a new key (and
// so other hwids upstream) and the log names what was not readable.
TEST_F(E2eTest, CopiedStateWithoutHardwareIsANewMachine) {
  FixtureTree machine;
  machine.BareMetal();
  ASSERT_TRUE(MakeAgent({{"hwid", {{"root", machine.root().string()}}}}));
  auto client = Connect();
  ASSERT_TRUE(client);
  const std::string original = Fingerprint(*client);
  ASSERT_EQ(original.size(), 16u) << original;
  client.reset();
  ASSERT_EQ(agent_->Stop(), 0);
  // The same machine again: the key is kept.
  ASSERT_TRUE(agent_->Start());
  client = Connect();
  ASSERT_TRUE(client);
  EXPECT_EQ(Fingerprint(*client), original);
  client.reset();
  ASSERT_EQ(agent_->Stop(), 0);

  // The copy: only /etc/machine-id, the same one, and the whole state dir.
  FixtureTree container;
  container.MachineId(std::string(FixtureTree::kMachineId) + "\n");
  AgentOptions options;
  options.config_patch = {{"hwid", {{"root", container.root().string()}}}};
  auto copy = AgentProcess::Create(options);
  ASSERT_TRUE(copy) << copy.error().message;
  std::error_code ec;
  fs::copy(agent_->StateDir(), (*copy)->StateDir(), fs::copy_options::recursive,
           ec);
  ASSERT_FALSE(ec) << ec.message();

  // `gg-agent hwid` on the copy says so before `run` re-enrolls.
  auto report = AgentProcess::RunToExit(
      {"hwid", "--config", (*copy)->ConfigPath().string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->code, 0) << report->output;
  EXPECT_NE(report->output.find("does NOT match the stored set (weight 2 of"),
            std::string::npos)
      << report->output;

  ASSERT_TRUE((*copy)->Start());
  auto copy_client = NdjsonClient::Connect((*copy)->SocketPath());
  ASSERT_TRUE(copy_client);
  const std::string copied = Fingerprint(**copy_client);
  EXPECT_EQ(copied.size(), 16u) << copied;
  EXPECT_NE(copied, original) << (*copy)->Log();
  EXPECT_NE((*copy)->Log().find("not readable now: firmware_uuid"),
            std::string::npos)
      << (*copy)->Log();
}

// `gg-agent hwid` as a user who may read the state but not the root-only
// DMI files (mode 0400 in the fixture): no claim of a match, nor of a new
// machine; it names what it could not read. Root only (it drops to nobody).
TEST_F(E2eTest, HwidWithoutRightsSaysSoInsteadOfMatching) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to run gg-agent hwid as another user";
  FixtureTree machine;
  machine.BareMetal();
  ASSERT_TRUE(MakeAgent({{"hwid", {{"root", machine.root().string()}}}}));
  ASSERT_EQ(agent_->Stop(), 0);
  // As root (the service's rights): a match.
  auto as_root = AgentProcess::RunToExit(
      {"hwid", "--config", agent_->ConfigPath().string()});
  ASSERT_TRUE(as_root) << as_root.error().message;
  EXPECT_NE(as_root->output.find("enrollment: matches"), std::string::npos)
      << as_root->output;

  // A user who may read the config but not the state directory (0700,
  // another user's): no crash, no "none stored".
  ASSERT_EQ(::chmod(agent_->ConfigPath().c_str(), 0644), 0);
  ASSERT_EQ(::chmod(agent_->Dir().c_str(), 0755), 0);
  auto no_state = AgentProcess::RunToExit(
      {"hwid", "--config", agent_->ConfigPath().string()},
      std::chrono::seconds(20),
      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
       "--inh-caps=-all", "--bounding-set=-all"});
  ASSERT_TRUE(no_state) << no_state.error().message;
  EXPECT_EQ(no_state->code, 0) << no_state->output;
  EXPECT_EQ(no_state->output.find("none stored"), std::string::npos)
      << no_state->output;
  EXPECT_NE(no_state->output.find("the stored set is not readable"),
            std::string::npos)
      << no_state->output;

  ASSERT_TRUE(agent_->ChownTree(65534, 65534));
  auto as_user = AgentProcess::RunToExit(
      {"hwid", "--config", agent_->ConfigPath().string()},
      std::chrono::seconds(20),
      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
       "--inh-caps=-all", "--bounding-set=-all"});
  ASSERT_TRUE(as_user) << as_user.error().message;
  EXPECT_EQ(as_user->code, 0) << as_user->output;
  EXPECT_EQ(as_user->output.find("matches"), std::string::npos)
      << as_user->output;
  EXPECT_EQ(as_user->output.find("does NOT match"), std::string::npos)
      << as_user->output;
  EXPECT_NE(as_user->output.find("cannot be checked with these rights"),
            std::string::npos)
      << as_user->output;
  EXPECT_NE(as_user->output.find("firmware_uuid"), std::string::npos)
      << as_user->output;
}

}  // namespace
}  // namespace gg::e2e
