// gg-devserver as a process: the listening line, SIGTERM, HTTPS with the
// test CA, and start-up failures that name the bad fixture field.
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "platform/private_file.h"
#include "tests/devserver/harness.h"
#include "tests/devserver/test_client.h"

namespace gg::devserver::testing {
namespace {

// Port 0 picks a free port that the listening line reports, and SIGTERM
// ends the server with exit code 0.
TEST(StartupTest, PortZeroAndSigtermExitZero) {
  auto s = DevServer::Start({});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_GT((*s)->Port(), 0);
  EXPECT_EQ((*s)->BaseUrl(),
            "http://127.0.0.1:" + std::to_string((*s)->Port()));
  auto who = Send(**s, "GET", "/v1/whoami", {{"X-Api-Key", kDemoApiKey}});
  ASSERT_TRUE(who);
  EXPECT_EQ(who->status, 200);
  auto code = (*s)->Stop();
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0);
}

// SIGTERM still exits 0 promptly while a `hang` fault holds a connection.
TEST(StartupTest, SigtermWhileHanging) {
  auto s = DevServer::Start({});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->SetFault({{"times", 1}, {"action", "hang"}}));
  Result<Answer> hung = MakeError(ErrorCode::kHarness, "");
  std::thread client([&] {
    Call c;
    c.body = Body(kDemoLicenseKey);
    c.timeout = std::chrono::seconds(60);
    hung = Authorize(**s, c);
  });
  // Wait (bounded) until the server has the hanging request.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    auto log = (*s)->Requests();
    seen = log && !log->empty();
    if (!seen) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_TRUE(seen);
  auto code = (*s)->Stop();
  client.join();
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0);
  EXPECT_FALSE(hung);  // the hung client never got an answer
}

// Over HTTPS with the test CA a client verifying the certificate gets a
// signed verdict; admin calls work over HTTPS too.
TEST(StartupTest, HttpsWithTestCa) {
  DevServerOptions options;
  options.tls = true;
  auto s = DevServer::Start(options);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->BaseUrl().rfind("https://127.0.0.1:", 0), 0u);
  Call c;
  c.body = Body(kDemoLicenseKey);
  auto a = Authorize(**s, c);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->status, 200);
  EXPECT_TRUE(a->SignatureVerifies());
  EXPECT_TRUE((*s)->Reset());
}

// A client that trusts another CA fails the TLS handshake.
TEST(StartupTest, HttpsRejectedWithWrongCa) {
  DevServerOptions options;
  options.tls = true;
  auto s = DevServer::Start(options);
  ASSERT_TRUE(s) << s.error().message;
  httplib::Client client((*s)->BaseUrl());
  client.set_ca_cert_path(TestCertDir() + "/other-ca.pem");
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(std::chrono::seconds(5));
  auto res = client.Get("/v1/whoami", {{"X-Api-Key", kDemoApiKey}});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::SSLServerVerification);
}

class BadFixturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gg-devserver-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto text = ReadFile(DemoFixturesPath());
    ASSERT_TRUE(text);
    demo_ = nlohmann::json::parse(*text);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs the server on `fixtures`; returns its exit status and stderr.
  ExitResult RunWith(const nlohmann::json& fixtures) {
    auto path = dir_ / "fixtures.json";
    std::ofstream(path) << fixtures.dump();
    auto r = RunDevServerToExit(
        {"--fixtures", path.string(), "--listen", "127.0.0.1:0"});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : ExitResult{};
  }

  std::filesystem::path dir_;
  nlohmann::json demo_;
};

// Each broken field stops the server at start, non-zero, naming the field.
TEST_F(BadFixturesTest, ExitNonZeroNamingField) {
  struct Case {
    const char* pointer;
    nlohmann::json value;
    const char* named;
  };
  for (const Case& c : {
           Case{"/signingSecret", nullptr, "signingSecret"},
           Case{"/responseSigningKeySeed",
                "c2hvcnQ=", "responseSigningKeySeed"},
           Case{"/apiKeys/1/permissions", "license:read",
                "apiKeys[1].permissions"},
           Case{"/products/0/rateLimitPerMinute", "fast",
                "products[0].rateLimitPerMinute"},
           Case{"/licenses/2/hwidMode", "loose", "licenses[2].hwidMode"},
           Case{"/licenses/3/productId", "no-such-product",
                "licenses[3].productId"},
           Case{"/licenses/4/expiresAt", "tomorrow", "licenses[4].expiresAt"},
           Case{"/licenses/5/status", "PAUSED", "licenses[5].status"},
       }) {
    nlohmann::json f = demo_;
    f[nlohmann::json::json_pointer(c.pointer)] = c.value;
    ExitResult r = RunWith(f);
    EXPECT_NE(r.status, 0) << c.pointer;
    EXPECT_NE(r.stderr_text.find(c.named), std::string::npos)
        << c.pointer << ": " << r.stderr_text;
  }
}

// A file that is not JSON, or missing, stops the server too.
TEST_F(BadFixturesTest, UnreadableOrNotJson) {
  auto path = dir_ / "broken.json";
  std::ofstream(path) << "{ not json";
  auto r = RunDevServerToExit({"--fixtures", path.string()});
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 0);
  EXPECT_NE(r->stderr_text.find("not valid JSON"), std::string::npos);
  auto missing = RunDevServerToExit({"--fixtures", (dir_ / "nope").string()});
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->status, 0);
}

// The demo fixtures themselves start fine (the happy path of the above).
TEST_F(BadFixturesTest, DemoFixturesStart) {
  auto s = DevServer::Start({});
  ASSERT_TRUE(s) << s.error().message;
}

}  // namespace
}  // namespace gg::devserver::testing
