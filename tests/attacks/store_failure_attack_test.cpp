// Issue 10 point 4, with an injected store failure: the durable write of a
// new denial fails (here a trigger in the real database refuses it, as a
// full disk or an I/O error would). The old allow on disk must never be
// served again, and the failure is logged and shown in `status`.
#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

using StoreFailureAttackTest = E2eTest;

// A revocation the agent cannot store still ends the old allow: after a
// SIGKILL and a restart with the server gone, nothing is allowed offline.
TEST_F(StoreFailureAttackTest, FailedDenialWriteNeverBringsTheOldAllowBack) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  const auto contact = std::chrono::system_clock::now();
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json online = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    ASSERT_EQ(online.value("source", ""), "online") << online.dump();
  }
  auto code = agent_->Stop();
  ASSERT_TRUE(code && *code == 0) << agent_->Log();
  // Every later write of a denial fails inside SQLite.
  ExecSql(agent_->DbPath(),
          "CREATE TRIGGER injected_failure BEFORE INSERT ON verdicts"
          " WHEN NEW.status = 403"
          " BEGIN SELECT RAISE(ABORT, 'injected store failure'); END;");
  ASSERT_TRUE(server_->PutLicense("DEMO-ALLOW-0001", {{"status", "REVOKED"}}));
  // Past its 1 s refresh interval the cached allow goes back to the server.
  PollUntil(
      [&] {
        return std::chrono::system_clock::now() >
               contact + std::chrono::seconds(2);
      },
      std::chrono::seconds(30));

  ASSERT_TRUE(agent_->Start());
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json revoked = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    ASSERT_EQ(revoked.value("reasonCode", json()), "LICENSE_REVOKED")
        << revoked.dump();
    auto status = client->Call({{"op", "status"}});
    ASSERT_TRUE(status) << status.error().message;
    ASSERT_TRUE((*status)["storeError"].is_object()) << status->dump();
    EXPECT_NE((*status)["storeError"]
                  .value("message", "")
                  .find("injected store failure"),
              std::string::npos)
        << status->dump();
  }
  EXPECT_NE(agent_->Log().find("injected store failure"), std::string::npos)
      << agent_->Log();
  agent_->Kill();
  server_->Kill();

  ASSERT_TRUE(agent_->Start());
  auto client = Connect();
  ASSERT_TRUE(client);
  json after = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_FALSE(after.value("allow", true)) << after.dump() << agent_->Log();
}

// The same with the delete failing too (a database that takes no write at
// all, as a full disk or a lock held by someone else): the agent marks the
// old row in a file whose space it reserved at start, and after a SIGKILL
// before any retry succeeded, the old allow is still never served. (Today's
// agent only retried, and a SIGKILL in between brought the allow back.)
TEST_F(StoreFailureAttackTest,
       FailedDenialWriteAndDeleteNeverBringTheAllowBack) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent(kFastOffline));
  const auto contact = std::chrono::system_clock::now();
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json online = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    ASSERT_EQ(online.value("source", ""), "online") << online.dump();
  }
  auto code = agent_->Stop();
  ASSERT_TRUE(code && *code == 0) << agent_->Log();
  // The denial cannot be written, and the old row cannot be deleted.
  ExecSql(agent_->DbPath(),
          "CREATE TRIGGER injected_put_failure BEFORE INSERT ON verdicts"
          " WHEN NEW.status = 403"
          " BEGIN SELECT RAISE(ABORT, 'injected store failure'); END;"
          "CREATE TRIGGER injected_delete_failure BEFORE DELETE ON verdicts"
          " BEGIN SELECT RAISE(ABORT, 'injected delete failure'); END;");
  ASSERT_TRUE(server_->PutLicense("DEMO-ALLOW-0001", {{"status", "REVOKED"}}));
  PollUntil(
      [&] {
        return std::chrono::system_clock::now() >
               contact + std::chrono::seconds(2);
      },
      std::chrono::seconds(30));

  ASSERT_TRUE(agent_->Start());
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json revoked = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
    ASSERT_EQ(revoked.value("reasonCode", json()), "LICENSE_REVOKED")
        << revoked.dump();
    auto status = client->Call({{"op", "status"}});
    ASSERT_TRUE(status) << status.error().message;
    ASSERT_TRUE((*status)["storeError"].is_object()) << status->dump();
    EXPECT_NE((*status)["storeError"]
                  .value("message", "")
                  .find("marked it superseded"),
              std::string::npos)
        << status->dump();
  }
  agent_->Kill();  // before any retry could succeed: none can
  server_->Kill();

  ASSERT_TRUE(agent_->Start());
  auto client = Connect();
  ASSERT_TRUE(client);
  json after = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_FALSE(after.value("allow", true)) << after.dump() << agent_->Log();
  EXPECT_NE(agent_->Log().find("a denial that could not be stored replaced it"),
            std::string::npos)
      << agent_->Log();
}

}  // namespace
}  // namespace gg::e2e
