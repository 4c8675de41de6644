// The §4 classification table, one row per code of the seed page (plus
// RATE_LIMIT_EXCEEDED from the summary page), checked against the page.
#include "agent/upstream/classify.h"
#include "tests/test_paths.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace gg::upstream {
namespace {

constexpr auto kMis = FailureClass::kMisconfiguration;
constexpr auto kReq = FailureClass::kRequestError;
constexpr auto kTra = FailureClass::kTransient;
constexpr auto kClk = FailureClass::kClock;
constexpr auto kUnk = FailureClass::kUnknown;

struct Row {
  int status;
  const char* code;
  bool unsigned_denial;
  FailureClass cls;
  bool credentials;
  ClockFix fix;
};

// The expected answer for every seed code at its documented status.
const Row kTable[] = {
    {401, "UNAUTHORIZED", false, kMis, true, ClockFix::kNone},
    {401, "EXPIRED_TOKEN", false, kMis, true, ClockFix::kNone},
    {403, "FORBIDDEN", false, kMis, true, ClockFix::kNone},
    {403, "API_KEY_NO_PERMISSIONS", false, kMis, true, ClockFix::kNone},
    {403, "PERMISSION_DENIED", false, kMis, true, ClockFix::kNone},
    {403, "INSUFFICIENT_SCOPE", false, kMis, true, ClockFix::kNone},
    {403, "APIKEY_NOT_ALLOWED", false, kMis, true, ClockFix::kNone},
    {403, "CSRF_BLOCKED", false, kMis, true, ClockFix::kNone},
    {401, "SIGNATURE_REQUIRED", false, kMis, true, ClockFix::kNone},
    {401, "INVALID_SIGNATURE", false, kMis, true, ClockFix::kNone},
    {401, "SIGNATURE_EXPIRED", false, kClk, false, ClockFix::kResyncFromDate},
    {401, "NONCE_REUSED", false, kClk, false, ClockFix::kFreshNonce},
    {500, "SIGNING_NOT_CONFIGURED", false, kMis, false, ClockFix::kNone},
    {503, "SIGNING_UNAVAILABLE", false, kTra, false, ClockFix::kNone},
    {400, "VALIDATION_ERROR", false, kReq, false, ClockFix::kNone},
    {400, "BAD_REQUEST", false, kReq, false, ClockFix::kNone},
    {400, "NULL_CONSTRAINT", false, kReq, false, ClockFix::kNone},
    {400, "BAD_IDEMPOTENCY_KEY", false, kReq, false, ClockFix::kNone},
    {400, "NO_FILE", false, kReq, false, ClockFix::kNone},
    {400, "NO_ACTIVE_ORG", false, kReq, false, ClockFix::kNone},
    {400, "MISSING_HOSTNAME", false, kReq, false, ClockFix::kNone},
    {400, "ENDPOINT_DISABLED", false, kReq, false, ClockFix::kNone},
    {404, "NOT_FOUND", false, kMis, false, ClockFix::kNone},
    {404, "USER_NOT_FOUND", false, kMis, false, ClockFix::kNone},
    {404, "PRODUCT_NOT_FOUND", true, kUnk, false, ClockFix::kNone},
    {404, "LICENSE_NOT_FOUND", true, kUnk, false, ClockFix::kNone},
    {404, "LISTING_NOT_FOUND", false, kMis, false, ClockFix::kNone},
    {404, "STOREFRONT_NOT_FOUND", false, kMis, false, ClockFix::kNone},
    {404, "ORG_NOT_FOUND", false, kMis, false, ClockFix::kNone},
    {409, "CONFLICT", false, kReq, false, ClockFix::kNone},
    {409, "IDEMPOTENCY_KEY_REUSE", false, kReq, false, ClockFix::kNone},
    {409, "CLOSED", false, kReq, false, ClockFix::kNone},
    {409, "LICENSE_NOT_OWNED", false, kReq, false, ClockFix::kNone},
    {410, "GONE", false, kReq, false, ClockFix::kNone},
    {400, "STOREFRONT_NOT_SETUP", false, kReq, false, ClockFix::kNone},
    {400, "STRIPE_NOT_READY", false, kReq, false, ClockFix::kNone},
    {400, "TARGET_LICENSE_REQUIRED", false, kReq, false, ClockFix::kNone},
    {429, "RATE_LIMITED", false, kTra, false, ClockFix::kNone},
    {429, "RATE_LIMIT_EXCEEDED", false, kTra, false, ClockFix::kNone},
    {429, "PRODUCT_RATE_LIMITED", false, kTra, false, ClockFix::kNone},
    {503, "RATE_LIMIT_UNAVAILABLE", false, kTra, false, ClockFix::kNone},
    {403, "USER_BANNED", false, kMis, true, ClockFix::kNone},
    {403, "LICENSE_INACTIVE", false, kMis, true, ClockFix::kNone},
    {403, "LIMIT_REACHED", false, kMis, true, ClockFix::kNone},
    {400, "DNS_NOT_FOUND", false, kReq, false, ClockFix::kNone},
    {400, "TOKEN_MISMATCH", false, kReq, false, ClockFix::kNone},
    {500, "INTERNAL", false, kTra, false, ClockFix::kNone},
    {500, "CONFIG_ERROR", false, kMis, false, ClockFix::kNone},
    {500, "DATABASE_ERROR", false, kMis, false, ClockFix::kNone},
    {500, "WEBHOOK_ERROR", false, kTra, false, ClockFix::kNone},
    {503, "STAGING_BILLING_DISABLED", false, kMis, false, ClockFix::kNone},
};

// Each row of the table classifies as documented.
TEST(ClassifyTest, EverySeedCode) {
  for (const Row& row : kTable) {
    SCOPED_TRACE(row.code);
    const Classification c = Classify(row.status, row.code);
    EXPECT_EQ(c.kind == AnswerKind::kUnsignedDenial, row.unsigned_denial);
    if (!row.unsigned_denial) {
      EXPECT_EQ(c.failure_class, row.cls);
    }
    EXPECT_EQ(c.credentials_rejected, row.credentials);
    EXPECT_EQ(c.clock_fix, row.fix);
    EXPECT_EQ(c.rate_limited, row.status == 429);
  }
}

// Every "CODE | STATUS |" row of seeds/api-errors.txt has a row above, at
// the seed's status: a code added to the seed cannot be silently missed.
TEST(ClassifyTest, TableCoversTheSeedPage) {
  std::ifstream in(std::string(gg::test::SharedDir()) +
                   "/seeds/api-errors.txt");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string page = text.str();
  std::set<std::pair<std::string, int>> tested;
  for (const Row& row : kTable) {
    tested.insert({row.code, row.status});
  }
  const std::regex line(R"(^([A-Z_]+) \| (\d{3}) \|)", std::regex::multiline);
  int seen = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), line);
       it != std::sregex_iterator(); ++it) {
    ++seen;
    const std::pair<std::string, int> key{(*it)[1], std::stoi((*it)[2])};
    EXPECT_TRUE(tested.count(key)) << key.first << " " << key.second;
  }
  EXPECT_GE(seen, 45);
}

// Codes the seed never lists are kUnknown (retried, logged as a bug), while
// gateway statuses without a code are transient.
TEST(ClassifyTest, UnknownCodesAndBareStatuses) {
  EXPECT_EQ(Classify(418, "TEAPOT").failure_class, kUnk);
  EXPECT_EQ(Classify(500, "SOMETHING_NEW").failure_class, kUnk);
  EXPECT_EQ(Classify(502, "").failure_class, kTra);
  EXPECT_EQ(Classify(503, "").failure_class, kTra);
  EXPECT_EQ(Classify(504, "").failure_class, kTra);
  EXPECT_EQ(Classify(400, "").failure_class, kUnk);
  EXPECT_TRUE(Classify(429, "").rate_limited);
  // The 404 verdict needs the 404: the same code elsewhere is not a denial.
  EXPECT_EQ(Classify(400, "LICENSE_NOT_FOUND").kind, AnswerKind::kFailure);
}

// Only transient and unknown failures may be retried.
TEST(ClassifyTest, Retriable) {
  EXPECT_TRUE(IsRetriable(kTra));
  EXPECT_TRUE(IsRetriable(kUnk));
  EXPECT_FALSE(IsRetriable(kMis));
  EXPECT_FALSE(IsRetriable(kReq));
  EXPECT_FALSE(IsRetriable(kClk));
}

}  // namespace
}  // namespace gg::upstream
