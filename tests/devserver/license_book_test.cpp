// LicenseBook without a socket: verdicts that depend on time passing and on
// state kept between calls, driven with explicit server times.
#include <string>

#include <gtest/gtest.h>

#include "tests/devserver/license_book.h"

namespace gg::devserver {
namespace {

constexpr long long kT0 = 1'800'000'000;
constexpr char kProduct[] = "p1";

Fixtures OneLicense(nlohmann::json license) {
  Fixtures f;
  f.products.push_back(Product{kProduct, 600, {}, {}});
  license["key"] = "K";
  license["id"] = "id-1";
  license["productId"] = kProduct;
  auto l = ParseLicense(license, "licenses[0]");
  EXPECT_TRUE(l) << l.error().message;
  f.licenses.push_back(*l);
  return f;
}

AuthorizeInput In(const std::string& hwid, int sessions = 1) {
  return AuthorizeInput{kProduct, "K", hwid, sessions, "", ""};
}

// Days after activation count from the first allow, and the allow reports
// that date as effectiveExpiresAt.
TEST(LicenseBookTest, RelativeExpiryFromFirstAllow) {
  LicenseBook book(OneLicense({{"daysAfterActivation", 2}}), kT0);
  Verdict first = book.Evaluate(In("h"), "127.0.0.1", kT0);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["effectiveExpiresAt"], FormatIsoTime(kT0 + 2 * 86400));
  EXPECT_EQ(book.Evaluate(In("h"), "127.0.0.1", kT0 + 86400).status, 200);
  EXPECT_EQ(book.Evaluate(In("h"), "127.0.0.1", kT0 + 2 * 86400).reason_code,
            "LICENSE_EXPIRED_RELATIVE");
}

// A machine's session report goes stale after twice heartbeatSeconds, so it
// stops counting against the limit.
TEST(LicenseBookTest, StaleSessionReportsDropped) {
  LicenseBook book(
      OneLicense({{"maxConcurrentSessions", 2}, {"heartbeatSeconds", 60}}),
      kT0);
  EXPECT_EQ(book.Evaluate(In("m1", 2), "127.0.0.1", kT0).status, 200);
  EXPECT_EQ(book.Evaluate(In("m2", 1), "127.0.0.1", kT0 + 60).reason_code,
            "CONCURRENCY_LIMIT_EXCEEDED");
  EXPECT_EQ(book.Evaluate(In("m2", 1), "127.0.0.1", kT0 + 121).status, 200);
}

// IP limit counts distinct IPs within ipWindowSeconds only.
TEST(LicenseBookTest, IpLimitWindow) {
  LicenseBook book(
      OneLicense(
          {{"ipMode", "limit"}, {"ipLimit", 1}, {"ipWindowSeconds", 100}}),
      kT0);
  EXPECT_EQ(book.Evaluate(In("h"), "10.0.0.1", kT0).status, 200);
  EXPECT_EQ(book.Evaluate(In("h"), "10.0.0.2", kT0 + 50).reason_code,
            "IP_LIMIT_EXCEEDED");
  EXPECT_EQ(book.Evaluate(In("h"), "10.0.0.2", kT0 + 101).status, 200);
}

// A PUT merges into the license and keeps its bindings unless it sets them.
TEST(LicenseBookTest, PutMergesAndKeepsBindings) {
  LicenseBook book(OneLicense({{"hwidMode", "sticky"}}), kT0);
  EXPECT_EQ(book.Evaluate(In("first"), "127.0.0.1", kT0).status, 200);
  EXPECT_FALSE(book.Put("K", {{"maxConcurrentSessions", 9}}, kT0));
  Verdict v = book.Evaluate(In("second"), "127.0.0.1", kT0);
  EXPECT_EQ(v.reason_code, "HWID_MISMATCH");
  EXPECT_FALSE(book.Put("K", {{"hwids", nlohmann::json::array()}}, kT0));
  Verdict rebound = book.Evaluate(In("second"), "127.0.0.1", kT0);
  ASSERT_EQ(rebound.status, 200);
  EXPECT_EQ(rebound.body["policy"]["maxConcurrentSessions"], 9);
  auto bad = book.Put("K", {{"hwidMode", "loose"}}, kT0);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->details[0]["field"], "hwidMode");
}

}  // namespace
}  // namespace gg::devserver
