// The license verdicts of gg-devserver over a real socket: every reason code
// from a demo fixture license, allows, and their response signatures.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "tests/devserver/server_fixture.h"

namespace gg::devserver::testing {
namespace {

constexpr char kOtherProduct[] = "2c0f6a51-9d3e-4b7a-8e21-5a4c3b2d1e0f";

struct ReasonCase {
  const char* code;
  const char* license;
  const char* hwid;
  const char* product;
};

class ReasonTest : public DevServerTest,
                   public ::testing::WithParamInterface<ReasonCase> {};

// Each fixture license answers its reason code: 403, allow:false, the code,
// and a response signature that verifies with the fixture public key.
TEST_P(ReasonTest, FixtureLicenseGivesItsReasonCodeSigned) {
  const ReasonCase& c = GetParam();
  Answer a = RunBody(Body(c.license, c.hwid, 1, c.product));
  EXPECT_EQ(a.status, 403) << a.body;
  auto j = a.Json();
  ASSERT_TRUE(j.is_object()) << a.body;
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["allow"], false);
  EXPECT_EQ(j["reasonCode"], c.code);
  EXPECT_TRUE(j["message"].is_string());
  EXPECT_FALSE(a.Header("x-request-id").empty());
  EXPECT_TRUE(a.SignatureVerifies()) << a.Header("X-GG-Response-Signature");
}

INSTANTIATE_TEST_SUITE_P(
    AllThirteen,
    ReasonTest,
    ::testing::Values(
        ReasonCase{"LICENSE_NOT_FOUND", "DEMO-NOT-FOUND", "a1", kDemoProductId},
        ReasonCase{"PRODUCT_MISMATCH", "DEMO-PRODUCT-MISMATCH", "a1",
                   kDemoProductId},
        ReasonCase{"HWID_BLACKLISTED", "DEMO-HWID-BLACKLISTED",
                   "b1ac0000b1ac0000b1ac0000b1ac0000", kDemoProductId},
        ReasonCase{"IP_BLACKLISTED", "DEMO-IP-BLACKLISTED", "a1",
                   kOtherProduct},
        ReasonCase{"LICENSE_REVOKED", "DEMO-REVOKED", "a1", kDemoProductId},
        ReasonCase{"LICENSE_REVOKED", "DEMO-FROZEN", "a1", kDemoProductId},
        ReasonCase{"LICENSE_EXPIRED", "DEMO-EXPIRED", "a1", kDemoProductId},
        ReasonCase{"LICENSE_EXPIRED_RELATIVE", "DEMO-EXPIRED-RELATIVE", "a1",
                   kDemoProductId},
        ReasonCase{"HWID_MISMATCH", "DEMO-HWID-MISMATCH", "a1", kDemoProductId},
        ReasonCase{"HWID_LIMIT_EXCEEDED", "DEMO-HWID-LIMIT", "a1",
                   kDemoProductId},
        ReasonCase{"IP_MISMATCH", "DEMO-IP-MISMATCH", "a1", kDemoProductId},
        ReasonCase{"IP_LIMIT_EXCEEDED", "DEMO-IP-LIMIT", "a1", kDemoProductId},
        ReasonCase{"IP_REGION_MISMATCH", "DEMO-IP-REGION-MISMATCH", "a1",
                   kDemoProductId},
        ReasonCase{"CONCURRENCY_LIMIT_EXCEEDED", "DEMO-CONCURRENCY-LIMIT", "a1",
                   kDemoProductId}),
    [](const auto& param_info) {
      std::string name = std::string(param_info.param.license).substr(5);
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

using VerdictTest = DevServerTest;

// An allowed license answers 200 with every field of upstream.md §2, signed.
TEST_F(VerdictTest, AllowHasAllFieldsAndVerifies) {
  Answer a = RunBody(Body(kDemoLicenseKey));
  ASSERT_EQ(a.status, 200) << a.body;
  auto j = a.Json();
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["allow"], true);
  EXPECT_TRUE(j["licenseId"].is_string());
  EXPECT_EQ(j["productId"], kDemoProductId);
  EXPECT_TRUE(j["effectiveExpiresAt"].is_null());
  EXPECT_TRUE(j["serverTime"].is_string());
  EXPECT_EQ(j["policy"]["maxConcurrentSessions"], 3);
  EXPECT_EQ(j["policy"]["offlineGraceSeconds"], 259200);
  EXPECT_EQ(j["policy"]["heartbeatSeconds"], 300);
  EXPECT_TRUE(a.SignatureVerifies());
}

// A signature binds the verdict to its request: it fails for another nonce,
// another request body or another status.
TEST_F(VerdictTest, SignatureIsBoundToRequest) {
  Answer a = RunBody(Body(kDemoLicenseKey));
  ASSERT_TRUE(a.SignatureVerifies());
  Answer other_nonce = a;
  other_nonce.nonce = std::string(32, 'f');
  EXPECT_FALSE(other_nonce.SignatureVerifies());
  Answer other_body = a;
  other_body.request_body = Body(kDemoLicenseKey, "ffff");
  EXPECT_FALSE(other_body.SignatureVerifies());
  Answer other_status = a;
  other_status.status = 403;
  EXPECT_FALSE(other_status.SignatureVerifies());
}

// An expiring license reports its expiry as effectiveExpiresAt.
TEST_F(VerdictTest, EffectiveExpiryFromFixture) {
  Answer a = RunBody(Body("DEMO-ALLOW-STICKY", "a1"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Json()["effectiveExpiresAt"], "2099-01-01T00:00:00Z");
}

// Sticky mode binds the first hardware ID; another one is HWID_MISMATCH.
TEST_F(VerdictTest, StickyHwidBindsFirstSeen) {
  EXPECT_EQ(RunBody(Body("DEMO-ALLOW-STICKY", "first")).status, 200);
  EXPECT_EQ(RunBody(Body("DEMO-ALLOW-STICKY", "first")).status, 200);
  Answer a = RunBody(Body("DEMO-ALLOW-STICKY", "second"));
  EXPECT_EQ(a.Code(), "HWID_MISMATCH");
}

// Concurrency sums the latest report of each machine against the limit.
TEST_F(VerdictTest, ConcurrencySumsMachines) {
  const std::string key = "DEMO-ALLOW-SESSIONS-2";
  EXPECT_EQ(RunBody(Body(key, "m1", 1)).status, 200);
  EXPECT_EQ(RunBody(Body(key, "m2", 1)).status, 200);
  EXPECT_EQ(RunBody(Body(key, "m2", 2)).Code(), "CONCURRENCY_LIMIT_EXCEEDED");
  // m2's latest report replaces its earlier one.
  EXPECT_EQ(RunBody(Body(key, "m2", 1)).status, 200);
}

// Checks go in the spec's order: a revoked license asked for by another
// product is PRODUCT_MISMATCH, not LICENSE_REVOKED.
TEST_F(VerdictTest, OrderMismatchBeforeRevoked) {
  ASSERT_TRUE(
      server().PutLicense("DEMO-PRODUCT-MISMATCH", {{"status", "REVOKED"}}));
  EXPECT_EQ(RunBody(Body("DEMO-PRODUCT-MISMATCH")).Code(), "PRODUCT_MISMATCH");
  // Blacklisted hwid comes before revoked, too.
  EXPECT_EQ(
      RunBody(Body("DEMO-REVOKED", "b1ac0000b1ac0000b1ac0000b1ac0000")).Code(),
      "HWID_BLACKLISTED");
}

}  // namespace
}  // namespace gg::devserver::testing
