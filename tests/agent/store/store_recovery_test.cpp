// Opening damaged or old databases: garbage and truncated files are moved
// aside and replaced, older schemas migrate forward, newer ones are refused.
#include <sqlite3.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/store/schema.h"
#include "platform/private_file.h"
#include "test_verdicts.h"
#include "tests/fakes/fake_clock.h"

namespace gg::store::testing {
namespace {

using ::testing::HasSubstr;

class StoreRecoveryTest : public StoreTest {
 protected:
  StoreOptions ClockedOptions() {
    StoreOptions o = Options();
    o.clock = &clock_;
    return o;
  }
  std::filesystem::path Aside() const {
    return state_ / "cache.db.corrupt-1763790000";
  }
  // Opens with the fake clock, expects a recreated store that works.
  void ExpectRecreatedAndWorking() {
    auto store = SqliteVerdictStore::Open(ClockedOptions());
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE((*store)->recreated());
    EXPECT_EQ((*store)->moved_aside_to(), Aside());
    EXPECT_TRUE(std::filesystem::exists(Aside()));
    EXPECT_EQ((*store)->LoadVerdicts()->size(), 0u);
    ASSERT_TRUE((*store)->PutVerdict(MakeVerdict("prod-1", "KEY-NEW")));
    EXPECT_EQ((*store)->LoadVerdicts()->size(), 1u);
    EXPECT_EQ(RawText(DbPath(), "PRAGMA integrity_check"), "ok");
  }
  gg::testing::FakeClock clock_;
};

// A file of garbage where the database should be is moved aside (with its
// -wal) and a fresh, working database takes its place.
TEST_F(StoreRecoveryTest, GarbageFileMovedAside) {
  ASSERT_TRUE(EnsurePrivateDirectory(state_));
  std::string garbage;
  for (int i = 0; i < 20000; ++i)
    garbage.push_back(static_cast<char>((i * 7919) % 251));
  ASSERT_TRUE(WritePrivateFileAtomic(DbPath(), garbage));
  ASSERT_TRUE(WritePrivateFileAtomic(state_ / "cache.db-wal", "junk wal"));
  ExpectRecreatedAndWorking();
  EXPECT_EQ(*ReadFile(Aside()), garbage);
  EXPECT_TRUE(
      std::filesystem::exists(state_ / "cache.db.corrupt-1763790000-wal"));
}

// A database cut short (half its pages lost) fails the check and is
// replaced; a second corruption in the same second gets its own name.
TEST_F(StoreRecoveryTest, TruncatedDatabaseMovedAside) {
  {
    auto store = OpenStore();
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(
          store->PutVerdict(MakeVerdict("prod-1", "KEY-" + std::to_string(i))));
    ASSERT_TRUE(store->Close());  // checkpoints: everything is in cache.db
  }
  auto size = std::filesystem::file_size(DbPath());
  ASSERT_GT(size, 16u * 4096);
  std::filesystem::resize_file(DbPath(), size / 2);
  ExpectRecreatedAndWorking();

  ASSERT_TRUE(WritePrivateFileAtomic(DbPath(), "SQLite format 3"));
  auto again = SqliteVerdictStore::Open(ClockedOptions());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->moved_aside_to(),
            state_ / "cache.db.corrupt-1763790000.1");
}

// Garbage written over pages in the middle of a database (bit rot) fails
// quick_check: the file is moved aside and the store keeps working.
TEST_F(StoreRecoveryTest, OverwrittenPagesNeverTrusted) {
  {
    auto store = OpenStore();
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(
          store->PutVerdict(MakeVerdict("prod-1", "KEY-" + std::to_string(i))));
    ASSERT_TRUE(store->Close());
  }
  auto size = std::filesystem::file_size(DbPath());
  std::string content = *ReadFile(DbPath());
  for (std::size_t i = size / 3; i < size / 3 + 3 * 4096 && i < size; ++i)
    content[i] = static_cast<char>((i * 131) % 256);
  ASSERT_TRUE(WritePrivateFileAtomic(DbPath(), content));
  auto store = SqliteVerdictStore::Open(ClockedOptions());
  ASSERT_TRUE(store) << store.error().message;
  // quick_check sees the broken b-tree pages, so nothing of the old file
  // is used at all.
  EXPECT_TRUE((*store)->recreated());
  auto rows = (*store)->LoadVerdicts();
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 0u);
  ASSERT_TRUE((*store)->PutVerdict(MakeVerdict("prod-1", "KEY-AFTER")));
}

// A database left at schema version 1 (no event table) by an older agent
// keeps its verdicts and is migrated to the current version.
TEST_F(StoreRecoveryTest, MigratesFromOlderVersion) {
  const auto v = MakeVerdict("prod-1", "KEY-OLD");
  ASSERT_TRUE(EnsurePrivateDirectory(state_));
  ASSERT_TRUE(WritePrivateFileAtomic(DbPath(), ""));
  RawExec(DbPath(),
          std::string(Migrations()[0].sql) + "PRAGMA user_version = 1;");
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(DbPath().string().c_str(), &h), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(h, "INSERT INTO verdicts VALUES (?,?,?,?,?,?,?,?,?)",
                           -1, &st, nullptr),
        SQLITE_OK);
    const auto& m = v.material;
    int i = 1;
    for (const std::string* s : {&v.key.product_id, &v.key.license_key,
                                 &m.request_nonce, &m.request_body})
      sqlite3_bind_text(st, i++, s->c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, i++, m.status);
    for (const std::string* s :
         {&m.response_timestamp, &m.response_signature, &m.response_body})
      sqlite3_bind_text(st, i++, s->c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, i++, v.received_at);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    ASSERT_EQ(sqlite3_close(h), SQLITE_OK);
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->recreated());
  EXPECT_EQ(RawInt(DbPath(), "PRAGMA user_version"), kSchemaVersion);
  auto rows = store->LoadVerdicts();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).key.license_key, "KEY-OLD");
  ASSERT_TRUE(store->AppendEvent({1, "prod-1", "allow", "r"}));
}

// A database from a newer agent is an error, left untouched (no downgrade,
// not treated as corrupt).
TEST_F(StoreRecoveryTest, NewerVersionRefused) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
  }
  RawExec(DbPath(),
          "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  auto store = SqliteVerdictStore::Open(ClockedOptions());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kStoreVersion);
  EXPECT_THAT(store.error().message, HasSubstr("newer"));
  EXPECT_FALSE(std::filesystem::exists(Aside()));
  EXPECT_EQ(RawInt(DbPath(), "SELECT count(*) FROM verdicts"), 1);
}

// A state directory that cannot be created is an error, not a crash.
TEST_F(StoreRecoveryTest, UnusableDirectoryIsError) {
  std::filesystem::create_directories(root_);
  ASSERT_TRUE(WritePrivateFileAtomic(root_ / "file", "x"));
  StoreOptions o = Options();
  o.state_dir = root_ / "file" / "state";
  EXPECT_FALSE(SqliteVerdictStore::Open(o));
}

}  // namespace
}  // namespace gg::store::testing
