// End to end, `gg-agent doctor`: the real binary against gg-devserver over
// HTTPS with the test CA, a running agent and its socket. Each broken
// setting gives a FAIL line that names it and says what to do, and exit 1;
// a sound setup gives exit 0.
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "platform/crypto.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

// The line of check `name` in the text report ("" when absent).
std::string Line(const std::string& report, const std::string& name) {
  std::istringstream in(report);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > 6 && line.compare(6, name.size() + 1, name + " ") == 0)
      return line;
  }
  return "";
}

class DoctorTest : public E2eTest {
 protected:
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

  json TlsPatch(json extra = json::object()) {
    json patch = {
        {"server", {{"caFile", devserver::TestCertDir() + "/ca.pem"}}}};
    patch.merge_patch(extra);
    return patch;
  }

  AgentOptions Options(json patch, std::string base_url = "") {
    AgentOptions o;
    o.base_url = base_url.empty() ? server_->BaseUrl() : base_url;
    o.config_patch = std::move(patch);
    return o;
  }

  ExitStatus Doctor(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"doctor", "--config",
                                     agent_->ConfigPath().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto run = AgentProcess::RunToExit(args, std::chrono::seconds(60));
    EXPECT_TRUE(run) << run.error().message;
    return run ? *run : ExitStatus{};
  }
};

// A sound setup with a running agent: every check ok (exit 0), with the
// facts an admin needs: socket mode and who may connect, database schema,
// TLS against the configured CA, the key's permissions, the clock.
TEST_F(DoctorTest, SoundSetupAllOk) {
  ASSERT_TRUE(StartTlsServer());
  ASSERT_TRUE(MakeAgent(TlsPatch()));
  auto client = Connect();
  ASSERT_TRUE(client);
  ASSERT_EQ(
      AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001").value("allow", false),
      true);
  const ExitStatus r = Doctor();
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("FAIL"), std::string::npos) << r.output;
  EXPECT_TRUE(Line(r.output, "config").starts_with("ok ")) << r.output;
  EXPECT_NE(Line(r.output, "socket").find("(0600, "), std::string::npos)
      << r.output;
  EXPECT_NE(Line(r.output, "socket").find("the agent answers ping"),
            std::string::npos)
      << r.output;
  EXPECT_NE(Line(r.output, "database").find("integrity ok, schema version"),
            std::string::npos)
      << r.output;
  EXPECT_NE(Line(r.output, "database").find("1 cached verdicts"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(Line(r.output, "hardware").starts_with("ok ")) << r.output;
  EXPECT_NE(Line(r.output, "tls").find("verified against CA "),
            std::string::npos)
      << r.output;
  EXPECT_NE(Line(r.output, "api-key").find("license:authorize"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(Line(r.output, "clock").starts_with("ok ")) << r.output;
  EXPECT_TRUE(Line(r.output, "signing").starts_with("ok ")) << r.output;
  EXPECT_TRUE(Line(r.output, "response-keys").starts_with("ok ")) << r.output;
  // The probe never touched a real license: nothing changed on the server.
  EXPECT_EQ(UpstreamRequestsFor("GG-DOCTOR-PROBE-NOT-A-LICENSE"), 1);
  EXPECT_EQ(r.output.find(devserver::kDemoApiKey), std::string::npos);
  EXPECT_EQ(r.output.find(devserver::kDemoSigningSecret), std::string::npos);

  const ExitStatus j = Doctor({"--json"});
  auto doc = json::parse(j.output.substr(j.output.find('{')), nullptr, false);
  ASSERT_TRUE(doc.is_object()) << j.output;
  EXPECT_EQ(doc["ok"], true);
  ASSERT_TRUE(doc["checks"].is_array());
  EXPECT_GE(doc["checks"].size(), 12u);
  for (const auto& c : doc["checks"]) {
    EXPECT_TRUE(c["status"] == "ok" || c["status"] == "warn" ||
                c["status"] == "skip")
        << c.dump();
  }
}

// Wrong credentials and keys, each named: a key without license:authorize,
// a wrong signing secret, response keys that do not verify.
TEST_F(DoctorTest, CredentialsAndKeysFailWithTheirFix) {
  ASSERT_TRUE(StartTlsServer());
  ASSERT_TRUE(MakeAgent(TlsPatch({{"server",
                                   {{"apiKey", "gg_dev_key_readonly"},
                                    {"signingSecret", "not-the-secret"}}}}),
                        false));
  ExitStatus r = Doctor();
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Line(r.output, "api-key").starts_with("FAIL")) << r.output;
  EXPECT_NE(Line(r.output, "api-key").find("without license:authorize"),
            std::string::npos)
      << r.output;
  EXPECT_NE(Line(r.output, "api-key").find("Edit Permissions"),
            std::string::npos)
      << r.output;

  ASSERT_TRUE(agent_->WriteConfig(
      Options(TlsPatch({{"server", {{"signingSecret", "wrong"}}}}))));
  r = Doctor();
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Line(r.output, "api-key").starts_with("ok ")) << r.output;
  EXPECT_TRUE(Line(r.output, "signing").starts_with("FAIL")) << r.output;
  EXPECT_NE(Line(r.output, "signing").find("INVALID_SIGNATURE"),
            std::string::npos)
      << r.output;
  EXPECT_NE(Line(r.output, "signing").find("server.signingSecret"),
            std::string::npos)
      << r.output;

  const std::string other_key = crypto::Base64Encode(std::string(32, 'k'));
  ASSERT_TRUE(agent_->WriteConfig(
      Options(TlsPatch({{"server", {{"responsePublicKeys", {other_key}}}}}))));
  r = Doctor();
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Line(r.output, "signing").starts_with("ok ")) << r.output;
  EXPECT_TRUE(Line(r.output, "response-keys").starts_with("FAIL")) << r.output;
}

// A clock more than 300 s off the server's (the server's moved, as the
// admin controls allow) says every authorize fails with
// SIGNATURE_EXPIRED and "check NTP"; the signing check still gets through
// by re-signing with the server's Date, as the agent does.
TEST_F(DoctorTest, ClockFarOffSaysSignatureExpiredAndNtp) {
  ASSERT_TRUE(StartTlsServer());
  ASSERT_TRUE(server_->SetClockOffset(1000));
  ASSERT_TRUE(MakeAgent(TlsPatch(), false));
  const ExitStatus r = Doctor();
  EXPECT_EQ(r.code, 1) << r.output;
  const std::string clock = Line(r.output, "clock");
  EXPECT_TRUE(clock.starts_with("FAIL")) << r.output;
  EXPECT_NE(clock.find("SIGNATURE_EXPIRED"), std::string::npos) << clock;
  EXPECT_NE(clock.find("check NTP"), std::string::npos) << clock;
  EXPECT_NE(clock.find("behind the server's"), std::string::npos) << clock;
  EXPECT_TRUE(Line(r.output, "signing").starts_with("ok ")) << r.output;
}

// Local problems: a world-readable secret file, a wrong CA, nothing
// listening on the socket, a damaged database, and an unreachable server.
TEST_F(DoctorTest, LocalAndNetworkProblems) {
  ASSERT_TRUE(StartTlsServer());
  ASSERT_TRUE(MakeAgent(TlsPatch(), false));
  const auto key_file = agent_->Dir() / "api-key";
  {
    std::ofstream f(key_file);
    f << devserver::kDemoApiKey << "\n";
  }
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  // Built whole: a merge patch would drop the null that removes apiKey.
  json patch = {{"server",
                 {{"apiKey", nullptr},
                  {"apiKeyFile", key_file.string()},
                  {"caFile", devserver::TestCertDir() + "/other-ca.pem"}}}};
  ASSERT_TRUE(agent_->WriteConfig(Options(patch)));
  std::filesystem::create_directories(agent_->StateDir());
  ::chmod(agent_->StateDir().c_str(), 0700);
  {
    std::ofstream db(agent_->DbPath());
    db << "this is not a database, just bytes that look nothing like one";
  }
  ExitStatus r = Doctor();
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Line(r.output, "config").starts_with("FAIL")) << r.output;
  const std::string secret = Line(r.output, "secret-files");
  EXPECT_TRUE(secret.starts_with("FAIL")) << r.output;
  EXPECT_NE(secret.find("mode 0644"), std::string::npos) << secret;
  EXPECT_NE(secret.find("chmod 600 " + key_file.string()), std::string::npos)
      << secret;
  EXPECT_TRUE(Line(r.output, "socket").starts_with("warn")) << r.output;
  EXPECT_TRUE(Line(r.output, "database").starts_with("FAIL")) << r.output;
  EXPECT_TRUE(Line(r.output, "tls").starts_with("FAIL")) << r.output;
  EXPECT_NE(Line(r.output, "tls").find("server.caFile"), std::string::npos)
      << r.output;
  EXPECT_TRUE(Line(r.output, "api-key").starts_with("skip")) << r.output;

  ASSERT_TRUE(
      agent_->WriteConfig(Options(json::object(), "https://127.0.0.1:9")));
  r = Doctor();
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(Line(r.output, "dns").starts_with("ok ")) << r.output;
  EXPECT_TRUE(Line(r.output, "tcp").starts_with("FAIL")) << r.output;
}

}  // namespace
}  // namespace gg::e2e
