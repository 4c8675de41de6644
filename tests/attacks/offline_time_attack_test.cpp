// Attacks on offline time (issue 10 points 1, 2, 3 and 5) by root on the
// machine, who sets the wall clock and edits the files in state.dir but has
// neither the server's signing key nor the agent's memory.
#include <chrono>
#include <string>
#include <vector>

#include "tests/attacks/wall_clock.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

using OfflineTimeAttackTest = E2eTest;

// The environment that runs the agent with its wall clock at `wall` (Unix
// seconds) and the monotonic and boot clocks real, as `date -s` would.
std::vector<std::string> WallClockAt(const std::string& faketime,
                                     long long wall) {
  // A relative offset needs its sign ("+0", "-60"): bare "0" would be
  // read as an absolute date.
  const long long offset = wall - WallNow();
  return {"LD_PRELOAD=" + faketime,
          "FAKETIME=" + std::string(offset >= 0 ? "+" : "") +
              std::to_string(offset),
          "FAKETIME_DONT_FAKE_MONOTONIC=1", "DONT_FAKE_MONOTONIC=1"};
}

// Point 1: root starts the agent with the clock a minute before the last
// server contact (inside the rollback tolerance), takes an offline allow
// and SIGKILLs it, again and again. Offline allows still end with the
// grace in real time (+10 s at most).
TEST_F(OfflineTimeAttackTest, RestartLoopWithClockSetBackCannotStretchGrace) {
  std::string why_not;
  const std::string faketime = FakeTimeLibrary(&why_not);
  if (faketime.empty())
    GTEST_SKIP() << why_not;
  constexpr long long kGrace = 6;
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(
      "DEMO-ALLOW-0001",
      {{"heartbeatSeconds", 1}, {"offlineGraceSeconds", kGrace}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  const long long last_contact = WallNow();
  ASSERT_TRUE(AllowOnline());
  agent_->Kill();
  server_->Kill();

  int early_allows = 0;
  json last;
  long long elapsed = 0;
  while ((elapsed = WallNow() - last_contact) <= kGrace + 14) {
    ASSERT_TRUE(agent_->Start(WallClockAt(faketime, last_contact - 60)))
        << agent_->Log();
    auto client = Connect();
    ASSERT_TRUE(client);
    last = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    elapsed = WallNow() - last_contact;
    agent_->Kill();
    if (last.value("allow", false)) {
      EXPECT_LE(elapsed, kGrace + 10)
          << "offline allow " << elapsed << " s after the last contact, "
          << "grace " << kGrace << " s: " << last.dump() << "\n"
          << agent_->Log();
      if (elapsed < kGrace)
        ++early_allows;
    }
  }
  // The loop did run inside the grace too (the attack was possible).
  EXPECT_GT(early_allows, 0) << agent_->Log();
  EXPECT_EQ(last.value("reasonCode", json()), "OFFLINE_GRACE_EXPIRED")
      << last.dump();
}

// Point 2: a revoked license's old allow, its unsigned received_at edited
// far into the future, is not served as a fresh cache allow: the agent
// asks the server and hears the revocation.
TEST_F(OfflineTimeAttackTest, FarFutureReceivedAtIsNotFreshness) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent());
  const long long contact = WallNow();
  ASSERT_TRUE(AllowOnlineThenStop());
  ASSERT_TRUE(server_->PutLicense("DEMO-ALLOW-0001", {{"status", "REVOKED"}}));
  ExecSql(agent_->DbPath(), "UPDATE verdicts SET received_at = 9000000000000");
  // By its signed time the allow is now due for refresh.
  WaitForWallClockPast(contact + 2);

  ASSERT_TRUE(agent_->Start());
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_FALSE(answer.value("allow", true)) << answer.dump();
  EXPECT_EQ(answer.value("reasonCode", json()), "LICENSE_REVOKED")
      << answer.dump();
  EXPECT_EQ(answer.value("source", ""), "online") << answer.dump();
}

// Point 3: with the wall clock right, neither deleting the unsigned time
// rows nor moving every time-like integer forward turns an
// OFFLINE_GRACE_EXPIRED back into an allow.
TEST_F(OfflineTimeAttackTest, EditedTimeMarksNeverTurnADenyIntoAnAllow) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(
      "DEMO-ALLOW-0001",
      {{"heartbeatSeconds", 1}, {"offlineGraceSeconds", 2}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json online = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    ASSERT_EQ(online.value("source", ""), "online") << online.dump();
    server_->Kill();
    json expired =
        AuthorizeUntil(*client, "DEMO-ALLOW-0001",
                       [](const json& a) { return !a.value("allow", true); });
    ASSERT_EQ(expired.value("reasonCode", json()), "OFFLINE_GRACE_EXPIRED")
        << expired.dump();
  }
  const std::vector<std::string> edits = {
      "DELETE FROM state WHERE name LIKE 'time.%';"
      "UPDATE verdicts SET received_at = 9000000000000;",
      "UPDATE state SET value = '99999999999' WHERE name LIKE 'time.%'"
      " AND name != 'time.boot';"
      "UPDATE verdicts SET received_at = 99999999999;",
  };
  for (const std::string& edit : edits) {
    SCOPED_TRACE(edit);
    auto code = agent_->Stop();
    ASSERT_TRUE(code && *code == 0) << agent_->Log();
    ExecSql(agent_->DbPath(), edit);
    ASSERT_TRUE(agent_->Start());
    auto client = Connect();
    ASSERT_TRUE(client);
    json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    EXPECT_FALSE(answer.value("allow", true)) << answer.dump();
  }
}

// Point 3: the newest signed serverTime in the cache is a floor for H. The
// marks deleted and the clock set back to just after one key's last allow,
// that key's grace (2 s) still counts as run out, because another cached
// verdict was signed an hour later.
TEST_F(OfflineTimeAttackTest, SignedServerTimeIsAFloorForTheClock) {
  std::string why_not;
  const std::string faketime = FakeTimeLibrary(&why_not);
  if (faketime.empty())
    GTEST_SKIP() << why_not;
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense(
      "DEMO-ALLOW-0001",
      {{"heartbeatSeconds", 1}, {"offlineGraceSeconds", 2}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  const long long first_contact = WallNow();
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json a = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    ASSERT_EQ(a.value("source", ""), "online") << a.dump();
    ASSERT_TRUE(server_->SetClockOffset(3600));
    json b = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-STICKY");
    ASSERT_EQ(b.value("source", ""), "online") << b.dump() << agent_->Log();
  }
  auto code = agent_->Stop();
  ASSERT_TRUE(code && *code == 0) << agent_->Log();
  server_->Kill();
  ExecSql(agent_->DbPath(), "DELETE FROM state WHERE name LIKE 'time.%'");

  auto started = agent_->Start(WallClockAt(faketime, first_contact));
  ASSERT_TRUE(started) << started.error().message;
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_FALSE(answer.value("allow", true)) << answer.dump();
  EXPECT_EQ(answer.value("reasonCode", json()), "OFFLINE_GRACE_EXPIRED")
      << answer.dump() << "\n"
      << agent_->Log();
}

// Point 5: a license valid until 9999-12-31T23:59:59Z with a 2^53 s grace
// is cached, answered from the cache with its real expiry, and allowed
// offline with graceEndsAt at that expiry.
TEST_F(OfflineTimeAttackTest, DatesPast2262AreKept) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(server_->PutLicense("DEMO-ALLOW-0001",
                                  {{"expiresAt", "9999-12-31T23:59:59Z"},
                                   {"offlineGraceSeconds", 9007199254740992LL},
                                   {"heartbeatSeconds", 5}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  auto client = Connect();
  ASSERT_TRUE(client);
  json online = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  ASSERT_EQ(online.value("source", ""), "online") << online.dump();
  EXPECT_EQ(online.value("effectiveExpiresAt", json()), "9999-12-31T23:59:59Z")
      << online.dump();
  json cached = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(cached.value("source", ""), "cache") << cached.dump();
  EXPECT_EQ(cached.value("effectiveExpiresAt", json()), "9999-12-31T23:59:59Z")
      << cached.dump();
  server_->Kill();
  json offline = AuthorizeUntil(*client, "DEMO-ALLOW-0001", [](const json& a) {
    return a.value("source", "") == "offline";
  });
  EXPECT_TRUE(offline.value("allow", false)) << offline.dump();
  EXPECT_EQ(offline.value("graceEndsAt", json()), "9999-12-31T23:59:59Z")
      << offline.dump();
}

}  // namespace
}  // namespace gg::e2e
