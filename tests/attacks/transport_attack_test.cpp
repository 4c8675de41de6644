// Attacks on the agent's transport settings (issue 10 point 13): a plain
// http:// base URL to a host anyone on the path can read or impersonate.
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/agent_process.h"

namespace gg::e2e {
namespace {

// A config that would send the API key and request HMACs in clear to a
// remote host is refused at start: exit 2, naming server.baseUrl.
TEST(TransportAttackTest, PlainHttpToARemoteHostIsRefused) {
  for (const char* url : {"http://192.0.2.10:8080", "http://api.example.com",
                          "http://127.0.0.1.nip.io"}) {
    AgentOptions options;
    options.base_url = url;
    auto agent = AgentProcess::Create(options);
    ASSERT_TRUE(agent) << agent.error().message;
    for (const char* command : {"run", "check-config"}) {
      auto run = AgentProcess::RunToExit(
          {command, "--config", (*agent)->ConfigPath().string()});
      ASSERT_TRUE(run) << run.error().message;
      EXPECT_EQ(run->code, 2) << url << " " << command << ": " << run->output;
      EXPECT_NE(run->output.find("server.baseUrl"), std::string::npos)
          << run->output;
    }
  }
}

// Loopback stays usable over plain http (the dev server, a local gateway).
TEST(TransportAttackTest, PlainHttpToLoopbackIsAccepted) {
  AgentOptions options;
  options.base_url = "http://127.0.0.1:9";
  auto agent = AgentProcess::Create(options);
  ASSERT_TRUE(agent) << agent.error().message;
  auto run = AgentProcess::RunToExit(
      {"check-config", "--config", (*agent)->ConfigPath().string()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 0) << run->output;
}

}  // namespace
}  // namespace gg::e2e
