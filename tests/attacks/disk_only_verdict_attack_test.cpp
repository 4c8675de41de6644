// The bounded verdict cache (issue 11) against root who edits the state
// files but has no signing key: a verdict held on disk only (past
// state.maxVerdictsInMemory) is verified again when it is read back, so a
// row edited while the agent runs never answers, and one left alone still
// serves offline.
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

using DiskOnlyVerdictAttackTest = E2eTest;

constexpr const char* kFirst = "DEMO-ALLOW-0001";
constexpr const char* kSecond = "DEMO-ALLOW-SESSIONS-2";

json StatusOf(NdjsonClient& client) {
  auto status = client.Call({{"op", "status"}});
  return status ? *status : json{{"transportError", status.error().message}};
}

TEST_F(DiskOnlyVerdictAttackTest, EditedDiskOnlyRowNeverAllows) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"state", {{"maxVerdictsInMemory", 1}}},
                         {"policy", {{"requestDeadlineMs", 1500}}}}));
  ASSERT_TRUE(AllowOnline(kFirst));
  ASSERT_TRUE(AllowOnline(kSecond));  // kFirst's verdict: disk only now
  auto client = Connect();
  ASSERT_TRUE(client);
  const json status = StatusOf(*client);
  EXPECT_EQ(status.value("cachedVerdicts", -1), 2) << status.dump();

  server_->Kill();  // offline: only the cache can allow now
  // Read back from disk, verified, allowed; kSecond goes to disk only.
  json first = AuthorizeOnce(*client, kProduct, kFirst);
  EXPECT_TRUE(first.value("allow", false)) << first.dump() << agent_->Log();
  EXPECT_EQ(first.value("source", ""), "cache") << first.dump();

  // Root rewrites the disk-only row while the agent runs: an edited
  // signed body that would still say ACTIVE, and a status of 200.
  ExecSql(agent_->DbPath(),
          "UPDATE verdicts SET response_body = response_body || ' '"
          " WHERE license_key = '" +
              std::string(kSecond) + "'");
  json second = AuthorizeOnce(*client, kProduct, kSecond);
  EXPECT_FALSE(second.value("allow", true)) << second.dump();
  EXPECT_EQ(second.value("reasonCode", json()), "AGENT_OFFLINE")
      << second.dump();
  EXPECT_NE(agent_->Log().find("dropping cached verdict"), std::string::npos)
      << agent_->Log();
  // Dropped, not kept for another try.
  const json after = StatusOf(*client);
  EXPECT_EQ(after.value("cachedVerdicts", -1), 1) << after.dump();
}

}  // namespace
}  // namespace gg::e2e
