// The SQLite verdict store: round trips, the checks at load, state values,
// the bounded event log and private file modes.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/store/verdict_check.h"
#include "test_verdicts.h"

namespace gg::store::testing {
namespace {

using ::testing::HasSubstr;

bool SameMaterial(const upstream::SignedMaterial& a,
                  const upstream::SignedMaterial& b) {
  return a.request_nonce == b.request_nonce &&
         a.request_body == b.request_body && a.status == b.status &&
         a.response_timestamp == b.response_timestamp &&
         a.response_signature == b.response_signature &&
         a.response_body == b.response_body;
}

unsigned Mode(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

// An allow and a denial written, the store closed and reopened: both come
// back byte for byte; a second put for a key replaces the first.
TEST_F(StoreTest, RoundTrip) {
  auto allow = MakeVerdict("prod-1", "KEY-1");
  auto deny = MakeVerdict("prod-1", "KEY-2", false);
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    EXPECT_FALSE(store->recreated());
    ASSERT_TRUE(store->PutVerdict(allow));
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2")));
    ASSERT_TRUE(store->PutVerdict(deny));  // replaces the allow for KEY-2
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto rows = store->LoadVerdicts();
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& row : *rows) {
    const auto& want = row.key.license_key == "KEY-1" ? allow : deny;
    EXPECT_EQ(row.key, want.key);
    EXPECT_TRUE(SameMaterial(row.material, want.material));
    EXPECT_EQ(row.received_at, want.received_at);
  }
  EXPECT_EQ(store->dropped_rows(), 0);
  ASSERT_TRUE(store->DeleteVerdict({"prod-1", "KEY-1"}));
  EXPECT_EQ(store->LoadVerdicts()->size(), 1u);
}

// A verdict that would not verify is refused at put, not stored.
TEST_F(StoreTest, PutRefusesUnverifiableVerdict) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto v = MakeVerdict("prod-1", "KEY-1");
  v.material.response_body += " ";
  auto s = store->PutVerdict(v);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kBadVerdict);
  auto other = MakeVerdict("prod-1", "KEY-1");
  other.key.license_key = "KEY-9";
  EXPECT_FALSE(store->PutVerdict(other));
  EXPECT_EQ(RawInt(DbPath(), "SELECT count(*) FROM verdicts"), 0);
}

// A row whose response body was edited in the file (expiry pushed out) no
// longer verifies: it is not returned and is deleted from the file.
TEST_F(StoreTest, EditedRowDroppedAtLoad) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2")));
  }
  RawExec(DbPath(),
          "UPDATE verdicts SET response_body = replace(response_body,"
          " '2027-01-01', '2099-01-01') WHERE license_key = 'KEY-1'");
  ASSERT_THAT(RawText(DbPath(),
                      "SELECT response_body FROM verdicts WHERE "
                      "license_key = 'KEY-1'"),
              HasSubstr("2099-01-01"));
  auto store = OpenStore();
  auto rows = store->LoadVerdicts();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).key.license_key, "KEY-2");
  EXPECT_EQ(store->dropped_rows(), 1);
  EXPECT_EQ(RawInt(DbPath(), "SELECT count(*) FROM verdicts"), 1);
}

// A genuine verdict for KEY-1 copied into KEY-2's row (signature intact)
// is rejected because its signed request names another key.
TEST_F(StoreTest, VerdictSwappedToAnotherKeyDropped) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2", false)));
  }
  RawExec(DbPath(),
          "UPDATE verdicts SET (request_nonce, request_body, status,"
          " response_timestamp, response_signature, response_body) ="
          " (SELECT request_nonce, request_body, status, response_timestamp,"
          " response_signature, response_body FROM verdicts"
          " WHERE license_key = 'KEY-1') WHERE license_key = 'KEY-2'");
  auto store = OpenStore();
  auto rows = store->LoadVerdicts();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).key.license_key, "KEY-1");
  EXPECT_EQ(RawInt(DbPath(),
                   "SELECT count(*) FROM verdicts WHERE "
                   "license_key = 'KEY-2'"),
            0);
}

// Verdicts signed by a key the config no longer lists are dropped; one
// signed by either of two configured keys is kept (key rotation).
TEST_F(StoreTest, OnlyConfiguredKeysVerify) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
  }
  StoreOptions rotated = Options();
  rotated.response_public_keys = {std::string(32, '\x01'), TestPublicKey()};
  {
    auto store = SqliteVerdictStore::Open(rotated);
    ASSERT_TRUE(store);
    EXPECT_EQ((*store)->LoadVerdicts()->size(), 1u);
  }
  rotated.response_public_keys = {std::string(32, '\x01')};
  auto store = SqliteVerdictStore::Open(rotated);
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->LoadVerdicts()->size(), 0u);
}

// Small state values round-trip, are replaced, and survive a reopen.
TEST_F(StoreTest, StateValues) {
  {
    auto store = OpenStore();
    EXPECT_EQ(*store->GetState("time.high_water"), std::nullopt);
    ASSERT_TRUE(store->PutState("time.high_water", "100"));
    ASSERT_TRUE(store->PutState("time.high_water", "200"));
    ASSERT_TRUE(store->PutState("hwid.enrollment", R"({"parts":[]})"));
  }
  auto store = OpenStore();
  EXPECT_EQ(*store->GetState("time.high_water"), "200");
  EXPECT_EQ(*store->GetState("hwid.enrollment"), R"({"parts":[]})");
}

// The event log keeps only the newest max_events rows, in order.
TEST_F(StoreTest, EventLogBounded) {
  StoreOptions o = Options();
  o.max_events = 10;
  auto store = SqliteVerdictStore::Open(o);
  ASSERT_TRUE(store);
  for (int i = 0; i < 25; ++i)
    ASSERT_TRUE((*store)->AppendEvent(
        {1000 + i, "prod-1", "allow", "req-" + std::to_string(i)}));
  auto events = (*store)->ListEvents();
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 10u);
  EXPECT_EQ(events->front().request_id, "req-15");
  EXPECT_EQ(events->back().request_id, "req-24");
  EXPECT_EQ(events->back().at, 1024);
  EXPECT_EQ(events->back().outcome, "allow");
}

// The state directory is 0700 and the database, WAL and shared-memory
// files 0600, even when the directory and an old file were looser.
TEST_F(StoreTest, PrivateModes) {
  std::filesystem::create_directories(state_);
  ::chmod(state_.c_str(), 0755);
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
  }
  ::chmod(DbPath().c_str(), 0644);
  auto store = OpenStore();
  ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2")));
  EXPECT_EQ(Mode(state_), 0700u);
  EXPECT_EQ(Mode(DbPath()), 0600u);
  EXPECT_EQ(Mode(state_ / "cache.db-wal"), 0600u);
  EXPECT_EQ(Mode(state_ / "cache.db-shm"), 0600u);
  EXPECT_EQ(RawText(DbPath(), "PRAGMA journal_mode"), "wal");
}

}  // namespace
}  // namespace gg::store::testing
