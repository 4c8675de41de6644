// gg-devserver's test controls over a real socket: each fault action, the
// clock offset, license changes, the request log, reset, and who may call
// them.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "platform/clock.h"
#include "tests/devserver/fixtures.h"
#include "tests/devserver/server_fixture.h"

namespace gg::devserver::testing {
namespace {

using AdminTest = DevServerTest;

Call Demo() {
  Call c;
  c.body = Body(kDemoLicenseKey);
  return c;
}

// respond: the next N calls get the given status and code (with Retry-After
// when asked), then calls are answered normally again.
TEST_F(AdminTest, FaultRespondForNCalls) {
  ASSERT_TRUE(server().SetFault({{"times", 2},
                                 {"status", 503},
                                 {"code", "SIGNING_UNAVAILABLE"},
                                 {"retryAfter", 7},
                                 {"action", "respond"}}));
  for (int i = 0; i < 2; ++i) {
    Answer a = Run(Demo());
    EXPECT_EQ(a.status, 503);
    EXPECT_EQ(a.Code(), "SIGNING_UNAVAILABLE");
    EXPECT_EQ(a.Header("Retry-After"), "7");
    EXPECT_FALSE(a.Header("x-request-id").empty());
  }
  EXPECT_EQ(Run(Demo()).status, 200);
}

// drop: the connection closes with no answer at all.
TEST_F(AdminTest, FaultDropClosesWithoutAnswer) {
  ASSERT_TRUE(server().SetFault({{"times", 1}, {"action", "drop"}}));
  auto a = Authorize(server(), Demo());
  ASSERT_FALSE(a) << "got HTTP " << a->status;
  EXPECT_EQ(Run(Demo()).status, 200);
}

// hang: no answer ever comes, so the client's own timeout fires.
TEST_F(AdminTest, FaultHangTimesOutClient) {
  ASSERT_TRUE(server().SetFault({{"times", 1}, {"action", "hang"}}));
  Call c = Demo();
  c.timeout = std::chrono::milliseconds(500);
  auto a = Authorize(server(), c);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("Read"), std::string::npos)
      << a.error().message;
  EXPECT_EQ(Run(Demo()).status, 200);
}

// garbage: a 200 whose body is not JSON.
TEST_F(AdminTest, FaultGarbage) {
  ASSERT_TRUE(server().SetFault({{"times", 1}, {"action", "garbage"}}));
  Answer a = Run(Demo());
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(a.Json().is_discarded());
}

// bad-signature: a real verdict whose signature does not verify.
TEST_F(AdminTest, FaultBadSignature) {
  ASSERT_TRUE(server().SetFault({{"times", 1}, {"action", "bad-signature"}}));
  Answer a = Run(Demo());
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.Json()["allow"], true);
  EXPECT_FALSE(a.Header("X-GG-Response-Signature").empty());
  EXPECT_FALSE(a.SignatureVerifies());
  EXPECT_TRUE(Run(Demo()).SignatureVerifies());
}

// unsigned: a real verdict without the response signature headers.
TEST_F(AdminTest, FaultUnsigned) {
  ASSERT_TRUE(server().SetFault({{"times", 1}, {"action", "unsigned"}}));
  Answer a = Run(Demo());
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.Json()["allow"], true);
  EXPECT_TRUE(a.Header("X-GG-Response-Signature").empty());
  EXPECT_TRUE(a.Header("X-GG-Response-Timestamp").empty());
}

// delayMs holds the answer back at least that long, then answers.
TEST_F(AdminTest, FaultDelay) {
  ASSERT_TRUE(server().SetFault(
      {{"times", 1}, {"status", 500}, {"code", "INTERNAL"}, {"delayMs", 300}}));
  auto start = std::chrono::steady_clock::now();
  Answer a = Run(Demo());
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(300));
  EXPECT_EQ(a.Code(), "INTERNAL");
}

// A malformed fault is refused with VALIDATION_ERROR naming the field.
TEST_F(AdminTest, BadFaultRefused) {
  auto s = server().SetFault({{"action", "explode"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("action"), std::string::npos);
}

// The clock offset shifts server time: a request signed with our clock is
// SIGNATURE_EXPIRED, the Date header shows the shift, and a request signed
// at the shifted time is allowed with the shifted serverTime.
TEST_F(AdminTest, ClockOffset) {
  ASSERT_TRUE(server().SetClockOffset(3600));
  Answer expired = Run(Demo());
  EXPECT_EQ(expired.Code(), "SIGNATURE_EXPIRED");
  Call shifted = Demo();
  shifted.clock_skew = 3600;
  Answer ok = Run(shifted);
  ASSERT_EQ(ok.status, 200);
  auto server_time = ParseIsoTime(ok.Json()["serverTime"].get<std::string>());
  ASSERT_TRUE(server_time);
  long long now = UnixSeconds(std::chrono::system_clock::now());
  EXPECT_GT(*server_time, now + 3000);
  EXPECT_GT(std::stoll(ok.Header("X-GG-Response-Timestamp")), now + 3000);
  EXPECT_TRUE(ok.SignatureVerifies());
}

// PUT a license: a partial object changes an existing license (revoke), and
// a full object adds a new one.
TEST_F(AdminTest, PutLicenseRevokesAndAdds) {
  ASSERT_TRUE(server().PutLicense(kDemoLicenseKey, {{"status", "REVOKED"}}));
  Answer revoked = Run(Demo());
  EXPECT_EQ(revoked.Code(), "LICENSE_REVOKED");
  EXPECT_TRUE(revoked.SignatureVerifies());
  ASSERT_TRUE(server().PutLicense(
      "NEW-KEY", {{"id", "11111111-2222-4333-8444-555555555555"},
                  {"productId", kDemoProductId},
                  {"maxConcurrentSessions", 5}}));
  Call c;
  c.body = Body("NEW-KEY");
  Answer added = Run(c);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.Json()["policy"]["maxConcurrentSessions"], 5);
  EXPECT_FALSE(
      server().PutLicense("BAD", {{"id", "x"}, {"productId", "nope"}}));
}

// The request log holds every authorize call: headers, body, status, code.
TEST_F(AdminTest, RequestLog) {
  Call c = Demo();
  c.api_key = "gg_dev_key_noperms";
  Run(c);
  Run(Demo());
  auto log = server().Requests();
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0]["status"], 403);
  EXPECT_EQ((*log)[0]["code"], "API_KEY_NO_PERMISSIONS");
  EXPECT_EQ((*log)[1]["status"], 200);
  EXPECT_EQ((*log)[1]["body"], Body(kDemoLicenseKey));
  EXPECT_EQ((*log)[1]["headers"]["X-Api-Key"], kDemoApiKey);
  EXPECT_TRUE((*log)[1]["time"].is_string());
  EXPECT_FALSE((*log)[1]["headers"].contains("REMOTE_ADDR"));
}

// Reset goes back to the fixtures: licenses, faults, clock, log, nonces.
TEST_F(AdminTest, ResetRestoresFixtures) {
  ASSERT_TRUE(server().PutLicense(kDemoLicenseKey, {{"status", "FROZEN"}}));
  ASSERT_TRUE(server().SetClockOffset(-5000));
  ASSERT_TRUE(server().SetFault({{"times", 5}, {"action", "garbage"}}));
  Call fixed = Demo();
  fixed.nonce = "ffeeddccbbaa99887766554433221100";
  Run(fixed);
  ASSERT_TRUE(server().Reset());
  auto log = server().Requests();
  ASSERT_TRUE(log);
  EXPECT_TRUE(log->empty());
  Answer a = Run(fixed);  // same nonce: forgotten by the reset
  EXPECT_EQ(a.status, 200) << a.body;
}

// Admin calls need the right X-Admin-Token.
TEST_F(AdminTest, AdminNeedsToken) {
  auto wrong = Send(server(), "POST", "/__admin/reset",
                    {{"X-Admin-Token", "wrong"}}, "{}");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto none = Send(server(), "GET", "/__admin/requests", {});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

// Without --admin-token there are no admin routes at all.
TEST(AdminDisabledTest, NoTokenNoRoutes) {
  DevServerOptions options;
  options.admin_token = "";
  auto s = DevServer::Start(options);
  ASSERT_TRUE(s) << s.error().message;
  auto a = Send(**s, "POST", "/__admin/reset", {{"X-Admin-Token", ""}}, "{}");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 404);
}

}  // namespace
}  // namespace gg::devserver::testing
