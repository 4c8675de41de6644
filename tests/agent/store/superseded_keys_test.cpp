// The superseded-keys file: marks survive a reopen, a torn or edited slot
// counts as free, a file of the wrong size keeps the marks it held, a full
// table says so, and the store never loads the row of a marked key until
// a write of that key succeeds.
#include "agent/store/superseded_keys.h"

#include <gtest/gtest.h>

#include <string>

#include "platform/private_file.h"
#include "test_verdicts.h"

namespace gg::store::testing {
namespace {

using SupersededKeysTest = StoreTest;

const VerdictKey kKey{"prod-1", "KEY-1"};
const VerdictKey kOther{"prod-1", "KEY-2"};

std::filesystem::path FileIn(const std::filesystem::path& dir) {
  return dir / kSupersededFileName;
}

TEST_F(SupersededKeysTest, MarksSurviveAReopen) {
  ASSERT_TRUE(EnsurePrivateDirectory(state_));
  {
    auto marks = SupersededKeys::Open(state_);
    ASSERT_TRUE(marks) << marks.error().message;
    EXPECT_EQ(std::filesystem::file_size(FileIn(state_)),
              SupersededKeys::kSlots * SupersededKeys::kSlotBytes);
    EXPECT_FALSE(marks->Contains(kKey));
    ASSERT_TRUE(marks->Add(kKey));
    ASSERT_TRUE(marks->Add(kOther));
    ASSERT_TRUE(marks->Remove(kOther));
  }
  auto again = SupersededKeys::Open(state_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->Contains(kKey));
  EXPECT_FALSE(again->Contains(kOther));
  EXPECT_EQ(again->size(), 1u);
}

TEST_F(SupersededKeysTest, TornSlotCountsAsFreeAndWrongSizeKeepsMarks) {
  ASSERT_TRUE(EnsurePrivateDirectory(state_));
  {
    auto marks = SupersededKeys::Open(state_);
    ASSERT_TRUE(marks);
    ASSERT_TRUE(marks->Add(kKey));    // slot 0
    ASSERT_TRUE(marks->Add(kOther));  // slot 1
  }
  // One byte of slot 0's digest changed: its check fails.
  ASSERT_TRUE(OverwriteFileRange(FileIn(state_), 10, "x"));
  {
    auto marks = SupersededKeys::Open(state_);
    ASSERT_TRUE(marks);
    EXPECT_FALSE(marks->Contains(kKey));
    EXPECT_TRUE(marks->Contains(kOther));
  }
  // Cut to two slots: rewritten full size with the mark that checks.
  std::filesystem::resize_file(FileIn(state_), 2 * SupersededKeys::kSlotBytes);
  auto marks = SupersededKeys::Open(state_);
  ASSERT_TRUE(marks);
  EXPECT_TRUE(marks->Contains(kOther));
  EXPECT_EQ(marks->size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(FileIn(state_)),
            SupersededKeys::kSlots * SupersededKeys::kSlotBytes);
}

TEST_F(SupersededKeysTest, FullTableSaysSo) {
  ASSERT_TRUE(EnsurePrivateDirectory(state_));
  auto marks = SupersededKeys::Open(state_);
  ASSERT_TRUE(marks);
  for (std::size_t i = 0; i < SupersededKeys::kSlots; ++i)
    ASSERT_TRUE(marks->Add({"prod-1", "K-" + std::to_string(i)}));
  ASSERT_TRUE(marks->Add({"prod-1", "K-0"}));  // already there: fine
  auto full = marks->Add(kKey);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::kSupersededFull);
  EXPECT_FALSE(marks->Contains(kKey));
}

// The store: a marked key's row is dropped at load (and deleted), and a
// later successful write of the key clears the mark.
TEST_F(SupersededKeysTest, StoreNeverLoadsAMarkedRow) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-1")));
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2")));
    ASSERT_TRUE(store->MarkSuperseded(kKey));
  }
  {
    auto store = OpenStore();
    auto rows = store->LoadUnverifiedVerdicts();
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].key.license_key, "KEY-2");
    EXPECT_EQ(RawInt(DbPath(), "SELECT count(*) FROM verdicts"), 1);
    // Deleted, so the mark went with it.
    EXPECT_FALSE(SupersededKeys::Open(state_)->Contains(kKey));
    ASSERT_TRUE(store->MarkSuperseded(kOther));
    ASSERT_TRUE(store->PutVerdict(MakeVerdict("prod-1", "KEY-2", false)));
    EXPECT_FALSE(SupersededKeys::Open(state_)->Contains(kOther));
  }
  auto store = OpenStore();
  auto rows = store->LoadUnverifiedVerdicts();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);  // the denial written after the mark
  EXPECT_EQ((*rows)[0].key.license_key, "KEY-2");
}

}  // namespace
}  // namespace gg::store::testing
