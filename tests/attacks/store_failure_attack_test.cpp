// Issue 10 point 4, with an injected store failure: the durable write of a
// new denial fails (here a trigger in the real database refuses it, as a
// full disk or an I/O error would). The old allow on disk must never be
// served again, and the failure is logged and shown in `status`.
#include <string>

#include "tests/attacks/wall_clock.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

class StoreFailureAttackTest : public E2eTest {
 protected:
  // An online allow for DEMO-ALLOW-0001 (refreshed every second), the agent
  // stopped, `sql` run on its database, the license revoked and the allow
  // due again; the agent started again hears the revocation. Returns the
  // storeError message `status` shows then.
  std::string RevokeWhileTheStoreRefuses(const std::string& sql) {
    EXPECT_TRUE(StartServer());
    EXPECT_TRUE(
        server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
    EXPECT_TRUE(MakeAgent(kFastOffline));
    const long long contact = WallNow();
    EXPECT_TRUE(AllowOnlineThenStop());
    ExecSql(agent_->DbPath(), sql);
    EXPECT_TRUE(
        server_->PutLicense("DEMO-ALLOW-0001", {{"status", "REVOKED"}}));
    WaitForWallClockPast(contact + 2);  // past its 1 s refresh interval

    EXPECT_TRUE(agent_->Start());
    auto client = Connect();
    EXPECT_TRUE(client);
    json revoked = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    EXPECT_EQ(revoked.value("reasonCode", json()), "LICENSE_REVOKED")
        << revoked.dump();
    auto status = client->Call({{"op", "status"}});
    EXPECT_TRUE(status) << status.error().message;
    if (!status || !(*status)["storeError"].is_object()) {
      ADD_FAILURE() << "no storeError: " << (status ? status->dump() : "");
      return "";
    }
    return (*status)["storeError"].value("message", "");
  }

  // SIGKILL of the agent and of the server, then the agent started again,
  // offline: its answer for the revoked license.
  json AnswerAfterACrashOffline() {
    agent_->Kill();
    server_->Kill();
    EXPECT_TRUE(agent_->Start());
    auto client = Connect();
    EXPECT_TRUE(client);
    return AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  }
};

constexpr const char* kPutFails =
    "CREATE TRIGGER injected_failure BEFORE INSERT ON verdicts"
    " WHEN NEW.status = 403"
    " BEGIN SELECT RAISE(ABORT, 'injected store failure'); END;";

// A revocation the agent cannot store still ends the old allow: after a
// SIGKILL and a restart with the server gone, nothing is allowed offline.
TEST_F(StoreFailureAttackTest, FailedDenialWriteNeverBringsTheOldAllowBack) {
  EXPECT_NE(
      RevokeWhileTheStoreRefuses(kPutFails).find("injected store failure"),
      std::string::npos);
  EXPECT_NE(agent_->Log().find("injected store failure"), std::string::npos)
      << agent_->Log();
  json after = AnswerAfterACrashOffline();
  EXPECT_FALSE(after.value("allow", true)) << after.dump() << agent_->Log();
}

// The same with the delete failing too (a database that takes no write at
// all, as a full disk or a lock held by someone else): the agent marks the
// old row in a file whose space it reserved at start, and after a SIGKILL
// before any retry succeeded, the old allow is still never served. (Without
// the mark, a SIGKILL between two retries brought the allow back.)
TEST_F(StoreFailureAttackTest,
       FailedDenialWriteAndDeleteNeverBringTheAllowBack) {
  const std::string error = RevokeWhileTheStoreRefuses(
      std::string(kPutFails) +
      "CREATE TRIGGER injected_delete_failure BEFORE DELETE ON verdicts"
      " BEGIN SELECT RAISE(ABORT, 'injected delete failure'); END;");
  EXPECT_NE(error.find("marked it superseded"), std::string::npos) << error;
  json after = AnswerAfterACrashOffline();  // before any retry could succeed
  EXPECT_FALSE(after.value("allow", true)) << after.dump() << agent_->Log();
  EXPECT_NE(agent_->Log().find("a denial that could not be stored replaced it"),
            std::string::npos)
      << agent_->Log();
}

}  // namespace
}  // namespace gg::e2e
