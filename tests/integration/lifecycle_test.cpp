// End to end, the daemon's life: bad configs, SIGHUP, SIGTERM.
#include <signal.h>

#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

// A bad config makes both `run` and `check-config` exit 2 with a message
// naming the field; the agent never starts.
TEST_F(E2eTest, BadConfigExitsTwoNamingTheField) {
  ASSERT_TRUE(MakeAgent({{"server", {{"baseUrl", "ftp://example.com"}}}},
                        /*start=*/false));
  for (const char* command : {"run", "check-config"}) {
    auto run = AgentProcess::RunToExit(
        {command, "--config", agent_->ConfigPath().string()});
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->code, 2) << command << ": " << run->output;
    EXPECT_NE(run->output.find("server.baseUrl"), std::string::npos)
        << command << ": " << run->output;
  }
  // An unknown key (a typo) is an error too, named by its path.
  AgentOptions typo;
  typo.config_patch = {{"policy", {{"cacheTtlSecond", 5}}}};
  ASSERT_TRUE(agent_->WriteConfig(typo));
  auto run = AgentProcess::RunToExit(
      {"check-config", "--config", agent_->ConfigPath().string()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->code, 2) << run->output;
  EXPECT_NE(run->output.find("cacheTtlSecond"), std::string::npos)
      << run->output;
  EXPECT_EQ(run->output.find(devserver::kDemoSigningSecret), std::string::npos);
}

// SIGHUP with a broken config file is refused with a log line; the agent
// keeps running on the old config and still answers.
TEST_F(E2eTest, SighupWithBadConfigKeepsTheOldOne) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  ASSERT_TRUE(agent_->WriteConfigText("{\"server\": {\"baseUrl\": 42}}\n"));
  ASSERT_TRUE(agent_->Signal(SIGHUP));
  EXPECT_TRUE(PollUntil(
      [&] { return agent_->Log().find("reload refused") != std::string::npos; },
      std::chrono::seconds(15)))
      << agent_->Log();
  EXPECT_TRUE(agent_->Running());
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(answer.value("allow", false), true) << answer.dump();
  EXPECT_EQ(answer.value("source", ""), "online") << answer.dump();
}

// SIGTERM: every connected app gets {"event":"shutdown"} with AGENT_STOPPING
// and a message, the agent exits 0.
TEST_F(E2eTest, SigtermSendsShutdownEventAndExitsZero) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto app = Connect();
  ASSERT_TRUE(app);
  auto allow = app->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(allow) << allow.error().message;
  ASSERT_EQ(allow->value("allow", false), true) << allow->dump();
  auto idle = Connect();  // a connection with no session hears it too
  ASSERT_TRUE(idle);
  ASSERT_TRUE(idle->Call({{"op", "ping"}}));

  ASSERT_TRUE(agent_->Signal(SIGTERM));
  for (NdjsonClient* client : {app.get(), idle.get()}) {
    auto event = client->NextEvent();
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->value("event", ""), "shutdown") << event->dump();
    EXPECT_EQ(event->value("reasonCode", ""), "AGENT_STOPPING");
    EXPECT_FALSE(event->value("message", "").empty());
  }
  auto code = agent_->WaitExit(std::chrono::seconds(15));
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0) << agent_->Log();
}

}  // namespace
}  // namespace gg::e2e
