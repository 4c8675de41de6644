// End to end, storage: the agent's SQLite file edited, corrupted, and the
// agent killed while writing to it (spec/agent.md §4).
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

// A plain sqlite3 connection to the agent's database, for the test's own
// reads and edits.
class Db {
 public:
  explicit Db(const std::filesystem::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) !=
        SQLITE_OK) {
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
      sqlite3_close(db_);
      db_ = nullptr;
      return;
    }
    sqlite3_busy_timeout(db_, 10000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  bool ok() const { return db_ != nullptr; }
  // The first column of every row, as text.
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    if (rc != SQLITE_DONE)
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return out;
  }
  // Runs a statement; the number of rows it changed, or -1.
  int Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
      sqlite3_free(err);
      return -1;
    }
    return sqlite3_changes(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

// A verdict row whose stored response body was edited (its expiry pushed
// out a century) fails verification at start: it is dropped, logged, and
// never used — with the server gone the app gets AGENT_OFFLINE.
TEST_F(E2eTest, EditedVerdictRowIsRejectedAtStart) {
  ASSERT_TRUE(StartServer());
  // A short deadline: the offline answer comes once upstream retries stop.
  ASSERT_TRUE(MakeAgent({{"policy", {{"requestDeadlineMs", 1500}}}}));
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    json allow = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-STICKY");
    ASSERT_EQ(allow.value("allow", false), true) << allow.dump();
  }
  auto code = agent_->Stop();
  ASSERT_TRUE(code && *code == 0);
  {
    Db db(agent_->DbPath());
    ASSERT_TRUE(db.ok());
    auto bodies = db.Column(
        "SELECT response_body FROM verdicts WHERE license_key = "
        "'DEMO-ALLOW-STICKY'");
    ASSERT_EQ(bodies.size(), 1u);
    ASSERT_NE(bodies[0].find("2099-01-01"), std::string::npos) << bodies[0];
    EXPECT_EQ(db.Exec("UPDATE verdicts SET response_body = "
                      "replace(response_body, '2099-01-01', '2199-01-01') "
                      "WHERE license_key = 'DEMO-ALLOW-STICKY'"),
              1);
  }
  // SIGKILL: a SIGTERM stop waits out the agent's keep-alive connection.
  server_->Kill();

  ASSERT_TRUE(agent_->Start());
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-STICKY");
  EXPECT_EQ(answer.value("allow", true), false) << answer.dump();
  EXPECT_EQ(answer.value("reasonCode", json()), "AGENT_OFFLINE")
      << answer.dump();
  EXPECT_NE(agent_->Log().find("dropping cached verdict"), std::string::npos)
      << agent_->Log();
  // The agent deletes the row on its worker thread, maybe after it has
  // answered: await it.
  Db db(agent_->DbPath());
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE(PollUntil(
      [&] {
        return db
            .Column(
                "SELECT license_key FROM verdicts WHERE "
                "license_key = 'DEMO-ALLOW-STICKY'")
            .empty();
      },
      std::chrono::seconds(10)))
      << agent_->Log();
}

// A database file that is not a database is moved aside as
// cache.db.corrupt-<time>; the agent starts empty and answers online.
TEST_F(E2eTest, CorruptDatabaseIsMovedAsideAndAgentRuns) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  {
    auto client = Connect();
    ASSERT_TRUE(client);
    ASSERT_EQ(AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001")
                  .value("allow", false),
              true);
  }
  auto code = agent_->Stop();
  ASSERT_TRUE(code && *code == 0);
  std::error_code ec;
  std::filesystem::remove(agent_->DbPath().string() + "-wal", ec);
  std::filesystem::remove(agent_->DbPath().string() + "-shm", ec);
  {
    std::ofstream out(agent_->DbPath(), std::ios::trunc | std::ios::binary);
    for (int i = 0; i < 1024; ++i)
      out << "this is not an sqlite database page ";
  }
  ASSERT_EQ(::chmod(agent_->DbPath().c_str(), 0600), 0);

  ASSERT_TRUE(agent_->Start());
  bool moved_aside = false;
  for (const auto& entry :
       std::filesystem::directory_iterator(agent_->StateDir())) {
    if (entry.path().filename().string().starts_with("cache.db.corrupt-"))
      moved_aside = true;
  }
  EXPECT_TRUE(moved_aside) << agent_->Log();
  auto client = Connect();
  ASSERT_TRUE(client);
  json answer = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(answer.value("allow", false), true) << answer.dump();
  EXPECT_EQ(answer.value("source", ""), "online") << answer.dump();
}

// kill -9 of the agent while verdicts are being written, in a loop: after
// every restart the database passes integrity_check, holds every verdict an
// app was told online (allow and deny), and the agent serves them cached.
TEST_F(E2eTest, KillNineWhileWritingLosesNoToldVerdict) {
  constexpr int kRounds = 6;
  constexpr int kAsked = 8;  // per round: 4 allows, 4 denials
  FixtureChanges changes;
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < kAsked / 2; ++i)
      changes.extra_allow_keys.push_back("E2E-K-" + std::to_string(r) + "-" +
                                         std::to_string(i));
  }
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(MakeAgent());
  std::set<std::string> told;  // license keys an app heard online
  for (int r = 0; r < kRounds; ++r) {
    SCOPED_TRACE("round " + std::to_string(r));
    auto client = Connect();
    ASSERT_TRUE(client);
    for (int i = 0; i < kAsked; ++i) {
      // Even: a license in the fixtures (allow); odd: not found (deny).
      std::string key =
          i % 2 == 0
              ? "E2E-K-" + std::to_string(r) + "-" + std::to_string(i / 2)
              : "E2E-NF-" + std::to_string(r) + "-" + std::to_string(i);
      ASSERT_TRUE(client->Send({{"id", key},
                                {"op", "authorize"},
                                {"productId", kProduct},
                                {"licenseKey", key}}));
    }
    // Half the answers are heard, then the agent dies with the rest of
    // the verdicts still being fetched and written.
    for (int i = 0; i < kAsked / 2; ++i) {
      auto answer = client->ReadAnswer();
      ASSERT_TRUE(answer) << answer.error().message;
      ASSERT_EQ(answer->value("source", ""), "online") << answer->dump();
      told.insert(answer->value("id", ""));
    }
    agent_->Kill();

    ASSERT_TRUE(agent_->Start());
    {
      Db db(agent_->DbPath());
      ASSERT_TRUE(db.ok());
      EXPECT_EQ(db.Column("PRAGMA integrity_check"),
                std::vector<std::string>{"ok"});
      auto keys = db.Column("SELECT license_key FROM verdicts");
      std::set<std::string> stored(keys.begin(), keys.end());
      for (const auto& key : told)
        EXPECT_TRUE(stored.contains(key)) << key << " lost";
    }
    // The restarted agent verified and loaded them: answered from cache.
    auto after = Connect();
    ASSERT_TRUE(after);
    for (const auto& key : told) {
      json answer = AuthorizeOnce(*after, kProduct, key);
      EXPECT_EQ(answer.value("source", ""), "cache")
          << key << ": " << answer.dump();
    }
  }
}

}  // namespace
}  // namespace gg::e2e
