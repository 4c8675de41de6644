// Pure parts of gg-devserver without a socket: fixture parsing, times, the
// demo key pair, rate limiter windows.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "platform/crypto.h"
#include "platform/private_file.h"
#include "tests/devserver/fixtures.h"
#include "tests/devserver/harness.h"
#include "tests/devserver/rate_limiter.h"

namespace gg::devserver {
namespace {

// The published demo public key is the key of the fixture's seed.
TEST(DemoFixturesTest, PublicKeyMatchesSeed) {
  auto fixtures = LoadFixtures(DemoFixturesPath());
  ASSERT_TRUE(fixtures) << fixtures.error().message;
  auto key = crypto::Ed25519PublicKey(fixtures->response_seed);
  ASSERT_TRUE(key);
  EXPECT_EQ(crypto::Base64Encode(*key), DemoResponsePublicKey());
  EXPECT_EQ(fixtures->signing_secret, kDemoSigningSecret);
}

// UTC times round-trip; anything but the Z form is refused.
TEST(IsoTimeTest, RoundTripAndRejects) {
  auto t = ParseIsoTime("2027-01-01T00:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 1798761600);
  EXPECT_EQ(FormatIsoTime(*t), "2027-01-01T00:00:00Z");
  EXPECT_FALSE(ParseIsoTime("2027-01-01 00:00:00"));
  EXPECT_FALSE(ParseIsoTime("2027-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseIsoTime("2027-01-01T00:00:00+01:00"));
}

// Licenses default as the spec's example; a missing id is named.
TEST(FixturesParseTest, LicenseDefaultsAndErrors) {
  auto l = ParseLicense({{"key", "K"}, {"id", "I"}, {"productId", "P"}},
                        "licenses[0]");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->status, "ACTIVE");
  EXPECT_EQ(l->hwid_mode, BindMode::kNone);
  EXPECT_FALSE(l->expires_at);
  auto bad = ParseLicense({{"key", "K"}, {"productId", "P"}}, "licenses[7]");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("licenses[7].id", 0), 0u);
}

// The limiter allows `limit` calls a minute, then tells how long to wait;
// a minute later the bucket has room again.
TEST(RateLimiterTest, SlidingMinute) {
  RateLimiter limiter;
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(limiter.Take("k", 2, t0).remaining, 1);
  EXPECT_TRUE(limiter.Take("k", 2, t0 + std::chrono::seconds(10)).allowed);
  auto denied = limiter.Take("k", 2, t0 + std::chrono::seconds(20));
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_seconds, 40);
  EXPECT_TRUE(limiter.Take("other", 2, t0).allowed);
  EXPECT_TRUE(limiter.Take("k", 2, t0 + std::chrono::seconds(60)).allowed);
}

}  // namespace
}  // namespace gg::devserver
