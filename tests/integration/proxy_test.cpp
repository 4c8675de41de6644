// End to end, proxies for real: the agent reaches gg-devserver (HTTPS)
// through Debian's tinyproxy, with credentials in server.proxy or in
// HTTPS_PROXY, is refused without them, goes direct for a NO_PROXY host,
// and never prints the proxy password (log, check-config, doctor).
#include <string>

#include "tests/integration/e2e_test.h"
#include "tests/integration/tiny_proxy.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

constexpr char kUser[] = "ggproxyuser";
constexpr char kPassword[] = "pr0xy-Pa55word-e2e";

class ProxyTest : public E2eTest {
 protected:
  void SetUp() override {
    if (!TinyProxy::Binary())
      GTEST_SKIP() << "needs tinyproxy (scripts/deps.sh installs it)";
  }

  bool StartTlsServer() {
    devserver::DevServerOptions options;
    options.tls = true;
    auto server = devserver::DevServer::Start(options);
    if (!server) {
      ADD_FAILURE() << server.error().message;
      return false;
    }
    server_ = std::move(*server);
    return true;
  }

  std::string ServerHostPort() const {
    return "127.0.0.1:" + std::to_string(server_->Port());
  }

  json Patch(const std::optional<std::string>& proxy) {
    json server = {{"caFile", devserver::TestCertDir() + "/ca.pem"}};
    if (proxy)
      server["proxy"] = *proxy;
    return {{"server", server}};
  }

  void ExpectNoPassword(const std::string& text, const std::string& what) {
    EXPECT_EQ(text.find(kPassword), std::string::npos) << what << ":\n" << text;
  }
};

// server.proxy with user:password: the allow comes through the proxy's
// CONNECT tunnel; the password is in no log line, not in check-config
// (masked) and not in doctor's report, which names the proxy it used.
TEST_F(ProxyTest, ThroughAuthenticatingProxyCredentialsNeverPrinted) {
  auto proxy = TinyProxy::Start(kUser, kPassword);
  ASSERT_TRUE(proxy) << proxy.error().message;
  ASSERT_TRUE(StartTlsServer());
  const std::string url = (*proxy)->Url(std::string(kUser) + ":" + kPassword);
  ASSERT_TRUE(MakeAgent(Patch(url)));
  auto client = Connect();
  ASSERT_TRUE(client);
  json allow = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(allow.value("allow", false), true) << allow.dump();
  EXPECT_EQ(allow.value("source", ""), "online") << allow.dump();
  EXPECT_GE((*proxy)->Connects(ServerHostPort()), 1) << (*proxy)->Log();

  auto check = AgentProcess::RunToExit(
      {"check-config", "--config", agent_->ConfigPath().string()});
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->code, 0) << check->output;
  EXPECT_NE(check->output.find("127.0.0.1:" + std::to_string((*proxy)->Port())),
            std::string::npos)
      << check->output;
  ExpectNoPassword(check->output, "check-config");

  auto doctor = AgentProcess::RunToExit(
      {"doctor", "--config", agent_->ConfigPath().string()},
      std::chrono::seconds(60));
  ASSERT_TRUE(doctor) << doctor.error().message;
  EXPECT_EQ(doctor->code, 0) << doctor->output;
  EXPECT_NE(doctor->output.find("(from server.proxy)"), std::string::npos)
      << doctor->output;
  EXPECT_NE(doctor->output.find("(the proxy)"), std::string::npos)
      << doctor->output;
  ExpectNoPassword(doctor->output, "doctor");
  ASSERT_TRUE(agent_->Stop());
  ExpectNoPassword(agent_->Log(), "agent log");
}

// The same proxy without credentials answers 407: the agent has nothing
// (AGENT_OFFLINE, status says why), and doctor says the proxy refused.
TEST_F(ProxyTest, WithoutCredentialsRefused) {
  auto proxy = TinyProxy::Start(kUser, kPassword);
  ASSERT_TRUE(proxy) << proxy.error().message;
  ASSERT_TRUE(StartTlsServer());
  ASSERT_TRUE(MakeAgent(Patch((*proxy)->Url())));
  auto client = Connect();
  ASSERT_TRUE(client);
  json deny = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(deny.value("allow", true), false) << deny.dump();
  EXPECT_EQ(deny.value("reasonCode", ""), "AGENT_OFFLINE") << deny.dump();
  EXPECT_EQ(UpstreamRequestsFor("DEMO-ALLOW-0001"), 0);
  auto status = client->Call({{"op", "status"}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->value("online", true), false) << status->dump();

  auto doctor = AgentProcess::RunToExit(
      {"doctor", "--config", agent_->ConfigPath().string()},
      std::chrono::seconds(60));
  ASSERT_TRUE(doctor) << doctor.error().message;
  EXPECT_EQ(doctor->code, 1) << doctor->output;
  EXPECT_NE(doctor->output.find("refused the tunnel"), std::string::npos)
      << doctor->output;
}

// HTTPS_PROXY from the environment (credentials in it) is used as libcurl
// uses it, and its password is masked in the log too; with NO_PROXY naming
// the server's host the agent goes direct: the proxy sees no new tunnel.
TEST_F(ProxyTest, EnvironmentProxyAndNoProxy) {
  auto proxy = TinyProxy::Start();
  ASSERT_TRUE(proxy) << proxy.error().message;
  ASSERT_TRUE(StartTlsServer());
  const std::string env_proxy =
      "HTTPS_PROXY=" + (*proxy)->Url(std::string(kUser) + ":" + kPassword);
  ASSERT_TRUE(MakeAgent(Patch(std::nullopt), false));
  ASSERT_TRUE(agent_->Start({env_proxy}));
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json allow = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    EXPECT_EQ(allow.value("source", ""), "online") << allow.dump();
  }
  const int through = (*proxy)->Connects(ServerHostPort());
  EXPECT_GE(through, 1) << (*proxy)->Log();
  auto doctor = RunProgramToExit(
      AgentPath(), {"doctor", "--config", agent_->ConfigPath().string()},
      {env_proxy}, std::chrono::seconds(60));
  ASSERT_TRUE(doctor) << doctor.error().message;
  EXPECT_NE(doctor->output.find("(from HTTPS_PROXY)"), std::string::npos)
      << doctor->output;
  ExpectNoPassword(doctor->output, "doctor");
  ASSERT_TRUE(agent_->Stop());
  ExpectNoPassword(agent_->Log(), "agent log");
  const int before_bypass = (*proxy)->Connects(ServerHostPort());

  // A fresh state, so the next ask goes upstream again.
  std::filesystem::remove_all(agent_->StateDir());
  ASSERT_TRUE(agent_->Start({env_proxy, "NO_PROXY=127.0.0.1"}));
  auto client = Connect();
  ASSERT_TRUE(client);
  json direct = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(direct.value("source", ""), "online") << direct.dump();
  EXPECT_EQ((*proxy)->Connects(ServerHostPort()), before_bypass)
      << (*proxy)->Log();
  auto bypass = RunProgramToExit(
      AgentPath(), {"doctor", "--config", agent_->ConfigPath().string()},
      {env_proxy, "NO_PROXY=127.0.0.1"}, std::chrono::seconds(60));
  ASSERT_TRUE(bypass) << bypass.error().message;
  EXPECT_NE(bypass->output.find("matches NO_PROXY=127.0.0.1"),
            std::string::npos)
      << bypass->output;
}

}  // namespace
}  // namespace gg::e2e
