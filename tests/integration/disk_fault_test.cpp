// Faults of the disk under the real gg-agent (issue 13, point 4): the
// database locked by another process. A new verdict that cannot be written
// is not acknowledged (spec/agent.md §4: on disk before the answer), the
// failure shows in the log and in `status`, cached verdicts are still
// served, and the agent recovers without a restart once the lock goes.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/integration/e2e_test.h"
#include "tests/integration/store_fault_checks.h"

namespace gg::e2e {
namespace {

using json = nlohmann::json;

class DiskFaultTest : public E2eTest {};

// Holds an exclusive write lock on a database from this process, as a
// second program (a backup tool, sqlite3 in a shell) could.
class WriteLock {
 public:
  explicit WriteLock(const std::filesystem::path& db) {
    if (sqlite3_open_v2(db.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) !=
        SQLITE_OK) {
      error_ = sqlite3_errmsg(db_);
      return;
    }
    // The agent may be between two writes of its own: wait for it.
    sqlite3_busy_timeout(db_, 10000);
    locked_ = sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) ==
              SQLITE_OK;
    if (!locked_)
      error_ = sqlite3_errmsg(db_);
  }
  ~WriteLock() {
    if (locked_)
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  bool locked() const { return locked_; }
  const std::string& error() const { return error_; }

 private:
  sqlite3* db_ = nullptr;
  bool locked_ = false;
  std::string error_;
};

// SQLite keeps a shared lock on one byte of cache.db-shm (its "dead man
// switch") for as long as it has the database open; a process that can
// lock it exclusively believes it is alone and truncates the file under
// the agent's mapping, which kills the agent with SIGBUS. The agent once
// opened and closed the -shm itself right after SQLite, which drops every
// POSIX lock the process held on it: this checks, from another process,
// that the lock is there once the agent is ready and after a write.
TEST_F(DiskFaultTest, AgentKeepsSqliteSharedMemoryLock) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"DISK-CACHED"};
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);
  auto expect_locked = [&](const char* when) {
    const std::filesystem::path shm = agent_->DbPath().string() + "-shm";
    int fd = ::open(shm.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0) << when << ": cannot open " << shm;
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 128;  // UNIX_SHM_DMS in SQLite's os_unix.c
    probe.l_len = 1;
    const int rc = ::fcntl(fd, F_GETLK, &probe);
    ::close(fd);
    ASSERT_EQ(rc, 0) << when;
    EXPECT_EQ(probe.l_type, F_RDLCK) << when << ": nobody holds the lock";
    EXPECT_EQ(probe.l_pid, agent_->Pid()) << when;
  };
  expect_locked("after start");
  json cached = AuthorizeOnce(*client, kProduct, "DISK-CACHED");
  ASSERT_EQ(cached.value("source", ""), "online") << cached.dump();
  expect_locked("after a verdict was stored");
  EXPECT_TRUE(agent_->Running()) << agent_->Log();
}

// Locked by another process: the fresh key is refused (AGENT_OFFLINE, not
// an unstored online allow), the cached key still allowed from cache,
// status says STORE; unlocked, the fresh key is allowed online and stored.
TEST_F(DiskFaultTest, LockedDatabaseRefusesNewAllowsServesCacheRecovers) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"DISK-CACHED", "DISK-FRESH"};
  ASSERT_TRUE(StartServer(&changes));
  // A deadline past the store's 5 s busy timeout, so the app hears what the
  // engine makes of the failed write, not of its deadline.
  ASSERT_TRUE(MakeAgent({{"policy", {{"requestDeadlineMs", 12000}}}}));
  auto client = Connect();
  ASSERT_TRUE(client);
  json cached = AuthorizeOnce(*client, kProduct, "DISK-CACHED");
  ASSERT_EQ(cached.value("source", ""), "online") << cached.dump();

  {
    WriteLock lock(agent_->DbPath());
    ASSERT_TRUE(lock.locked()) << lock.error();
    ExpectStoreFaultAnswers(*client, "DISK-FRESH", "DISK-CACHED");
  }
  EXPECT_NE(agent_->Log().find("storing a verdict"), std::string::npos)
      << agent_->Log();

  json recovered = AuthorizeOnce(*client, kProduct, "DISK-FRESH");
  EXPECT_TRUE(recovered.value("allow", false)) << recovered.dump();
  EXPECT_EQ(recovered.value("source", ""), "online") << recovered.dump();
  // And it is on disk: a restart serves it from the cache.
  client.reset();
  auto stopped = agent_->Stop();
  ASSERT_TRUE(stopped) << stopped.error().message;
  server_->Kill();
  ASSERT_TRUE(agent_->Start()) << agent_->Log();
  auto again = Connect();
  ASSERT_TRUE(again);
  json after = AuthorizeOnce(*again, kProduct, "DISK-FRESH");
  EXPECT_TRUE(after.value("allow", false)) << after.dump();
}

}  // namespace
}  // namespace gg::e2e
