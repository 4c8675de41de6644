// The real libcurl transport and AuthorizeClient against gg-devserver, over
// HTTP and HTTPS with the throwaway test CA. The client's loop is the test
// thread (RealTimeLoop): the server's clock and timeouts are real.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <future>

#include <gtest/gtest.h>

#include "agent/upstream/authorize_client.h"
#include "platform/crypto.h"
#include "tests/devserver/harness.h"
#include "tests/fakes/real_time_loop.h"

namespace gg::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace dev = gg::devserver;

// libcurl's "sha256//<base64>" pin of the public key in a PEM certificate.
std::string PinOf(const std::string& cert_path) {
  std::FILE* f = std::fopen(cert_path.c_str(), "r");
  if (f == nullptr) {
    return "";
  }
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) {
    return "";
  }
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  X509_free(cert);
  if (len <= 0) {
    return "";
  }
  auto digest = crypto::Sha256(std::string_view(
      reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return digest ? "sha256//" + crypto::Base64Encode(*digest) : "";
}

class IntegrationTest : public ::testing::Test {
 protected:
  void StartServer(bool tls) {
    dev::DevServerOptions options;
    options.tls = tls;
    auto server = dev::DevServer::Start(options);
    ASSERT_TRUE(server) << server.error().message;
    server_ = *std::move(server);
  }

  AuthorizeClientOptions Options() {
    AuthorizeClientOptions o;
    o.base_url = server_->BaseUrl();
    o.api_key = Secret(dev::kDemoApiKey);
    o.signing_secret = Secret(dev::kDemoSigningSecret);
    o.response_public_keys = {
        *crypto::Base64Decode(dev::DemoResponsePublicKey())};
    o.connect_timeout = milliseconds(2000);
    o.request_timeout = milliseconds(1500);
    o.max_attempts = 1;
    o.initial_backoff = milliseconds(20);
    o.max_backoff = milliseconds(100);
    if (server_->BaseUrl().starts_with("https")) {
      o.ca_file = dev::TestCertDir() + "/ca.pem";
    }
    return o;
  }

  void MakeClient(AuthorizeClientOptions o) {
    auto client =
        AuthorizeClient::CreateWithCurl(std::move(o), clock_, random_, loop_);
    ASSERT_TRUE(client) << client.error().message;
    client_ = *std::move(client);
  }

  std::future<Outcome> Start(const std::string& key = dev::kDemoLicenseKey) {
    auto promise = std::make_shared<std::promise<Outcome>>();
    auto future = promise->get_future();
    client_->Authorize(
        {dev::kDemoProductId, key, "0123456789abcdef0123456789abcdef", 1,
         "00112233445566778899aabbccddeeff"},
        [promise](Outcome o) { promise->set_value(std::move(o)); });
    return future;
  }

  // Runs the loop until `future` has its outcome or `limit` passed.
  void Await(const std::future<Outcome>& future, seconds limit) {
    loop_.RunUntil(
        [&future] {
          return future.wait_for(seconds(0)) == std::future_status::ready;
        },
        limit);
  }

  Outcome Run(const std::string& key = dev::kDemoLicenseKey) {
    auto future = Start(key);
    // A bound, not a timing assertion: far above every configured timeout.
    Await(future, seconds(30));
    EXPECT_EQ(future.wait_for(seconds(0)), std::future_status::ready);
    return future.get();
  }

  nlohmann::json Requests() {
    auto r = server_->Requests();
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json::array();
  }

  Failure ExpectFailure(const Outcome& out) {
    EXPECT_TRUE(std::holds_alternative<Failure>(out));
    return std::holds_alternative<Failure>(out) ? std::get<Failure>(out)
                                                : Failure{};
  }

  void TearDown() override {
    if (client_) {
      client_->Shutdown(seconds(5));
    }
  }

  SystemClock clock_;
  SecureRandomSource random_;
  gg::testing::RealTimeLoop loop_;
  std::unique_ptr<dev::DevServer> server_;
  std::unique_ptr<AuthorizeClient> client_;
};

// An allow over HTTP, verified end to end; the kept material re-verifies.
TEST_F(IntegrationTest, AllowOverHttp) {
  StartServer(false);
  MakeClient(Options());
  auto out = Run();
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  const auto& v = std::get<Verdict>(out);
  EXPECT_TRUE(v.allow);
  EXPECT_FALSE(v.request_id.empty());
  ASSERT_TRUE(v.signed_material);
  EXPECT_TRUE(VerdictFromSignedMaterial(*v.signed_material,
                                        Options().response_public_keys));
}

// An allow and a deny over HTTPS with the test CA, both verified; the
// second request reuses the kept-alive connection without error.
TEST_F(IntegrationTest, AllowAndDenyOverHttps) {
  StartServer(true);
  MakeClient(Options());
  auto allow = Run();
  ASSERT_TRUE(std::holds_alternative<Verdict>(allow));
  EXPECT_TRUE(std::get<Verdict>(allow).allow);
  auto deny = Run("DEMO-REVOKED");
  ASSERT_TRUE(std::holds_alternative<Verdict>(deny));
  EXPECT_FALSE(std::get<Verdict>(deny).allow);
  EXPECT_EQ(std::get<Verdict>(deny).reason_code, "LICENSE_REVOKED");
  EXPECT_TRUE(std::get<Verdict>(deny).signed_material);
}

// Each broken answer becomes a transient failure within the timeout, never
// a verdict.
TEST_F(IntegrationTest, FaultsBecomeTransportFailures) {
  StartServer(false);
  const std::pair<const char*, const char*> faults[] = {
      {"bad-signature", "BAD_SIGNATURE"},
      {"unsigned", "UNSIGNED"},
      {"garbage", "BAD_RESPONSE"},
      {"drop", "NETWORK"},
      {"hang", "TIMEOUT"}};
  for (const auto& [action, code] : faults) {
    SCOPED_TRACE(action);
    // A fresh client, so a fresh connection: on a reused keep-alive
    // connection libcurl itself re-sends a request that got no answer at
    // all (it cannot tell a drop from an idle close), which would hide the
    // drop fault behind a second, successful send.
    MakeClient(Options());
    ASSERT_TRUE(server_->SetFault({{"times", 1}, {"action", action}}));
    auto f = ExpectFailure(Run());
    EXPECT_EQ(f.code, code);
    EXPECT_EQ(f.failure_class, FailureClass::kTransient);
  }
}

// A 503 then success: retried once, the verdict arrives.
TEST_F(IntegrationTest, ServiceUnavailableThenSuccess) {
  StartServer(false);
  auto o = Options();
  o.max_attempts = 3;
  MakeClient(o);
  ASSERT_TRUE(server_->SetFault({{"times", 1},
                                 {"status", 503},
                                 {"code", "SIGNING_UNAVAILABLE"},
                                 {"action", "respond"}}));
  auto out = Run();
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  auto log = Requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["status"], 503);
  EXPECT_EQ(log[1]["status"], 200);
}

// 429 with Retry-After: 2: no request reaches the server inside the window
// (another call fails at once), and the retry comes after it.
TEST_F(IntegrationTest, RateLimitWindowHonoured) {
  StartServer(false);
  auto o = Options();
  o.max_attempts = 3;
  MakeClient(o);
  int attempts = 0;  // on the loop, which is this thread
  client_->SetAttemptObserver(
      [&attempts](const AttemptReport&) { ++attempts; });
  ASSERT_TRUE(server_->SetFault({{"times", 1},
                                 {"status", 429},
                                 {"code", "RATE_LIMITED"},
                                 {"retryAfter", 2},
                                 {"action", "respond"}}));
  auto first = Start();
  // Await (bounded) the 429's answer, which the server logged first.
  loop_.RunUntil([&attempts] { return attempts >= 1; }, milliseconds(5000));
  ASSERT_EQ(Requests().size(), 1u);
  // Inside the window: fails at once with retry_after, no request.
  auto blocked = ExpectFailure(Run());
  EXPECT_EQ(blocked.code, "RATE_LIMITED");
  ASSERT_TRUE(blocked.retry_after);
  EXPECT_LE(blocked.retry_after->count(), 2);
  EXPECT_EQ(Requests().size(), 1u);

  Await(first, seconds(30));
  ASSERT_EQ(first.wait_for(seconds(0)), std::future_status::ready);
  auto out = first.get();
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  auto log = Requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["status"], 429);
  EXPECT_GE(
      log[1]["unixTime"].get<long long>() - log[0]["unixTime"].get<long long>(),
      2);
}

// A server clock 400 s ahead: one SIGNATURE_EXPIRED, then corrected from
// the Date header, and the next call is right the first time.
TEST_F(IntegrationTest, ClockSkewCorrectedOnce) {
  StartServer(false);
  MakeClient(Options());
  ASSERT_TRUE(server_->SetClockOffset(400));
  ASSERT_TRUE(std::holds_alternative<Verdict>(Run()));
  EXPECT_NEAR(static_cast<double>(client_->clock_offset_seconds()), 400.0, 2.0);
  ASSERT_TRUE(std::holds_alternative<Verdict>(Run()));
  auto log = Requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["code"], "SIGNATURE_EXPIRED");
  EXPECT_EQ(log[1]["status"], 200);
  EXPECT_EQ(log[2]["status"], 200);
}

// A CA that did not sign the server's certificate is refused, no request.
TEST_F(IntegrationTest, WrongCaRefused) {
  StartServer(true);
  auto o = Options();
  o.ca_file = dev::TestCertDir() + "/other-ca.pem";
  MakeClient(o);
  auto f = ExpectFailure(Run());
  EXPECT_EQ(f.code, "TLS");
  EXPECT_TRUE(Requests().empty());
}

// The right pin is accepted and a wrong pin refused, on a trusted chain.
TEST_F(IntegrationTest, PinnedKeyEnforced) {
  StartServer(true);
  const std::string right = PinOf(dev::TestCertDir() + "/server.pem");
  ASSERT_FALSE(right.empty());
  auto o = Options();
  o.pinned_public_keys =
      "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;" + right;
  MakeClient(o);
  EXPECT_TRUE(std::holds_alternative<Verdict>(Run()));
  client_->Shutdown(seconds(5));

  o.pinned_public_keys = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  MakeClient(o);
  auto f = ExpectFailure(Run());
  EXPECT_EQ(f.code, "TLS");
  EXPECT_EQ(Requests().size(), 1u);  // only the pinned-right one arrived
}

// A wrong API key is a credential misconfiguration, sent once, not retried.
TEST_F(IntegrationTest, WrongApiKeyNotRetried) {
  StartServer(false);
  auto o = Options();
  o.api_key = Secret("gg_wrong_key");
  o.max_attempts = 5;
  MakeClient(o);
  auto f = ExpectFailure(Run());
  EXPECT_EQ(f.code, "UNAUTHORIZED");
  EXPECT_EQ(f.failure_class, FailureClass::kMisconfiguration);
  EXPECT_TRUE(f.credentials_rejected);
  EXPECT_FALSE(f.request_id.empty());
  EXPECT_EQ(Requests().size(), 1u);
}

}  // namespace
}  // namespace gg::upstream
