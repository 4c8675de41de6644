// Windows: a corrupt database that cannot be moved aside (another process
// holds it open without FILE_SHARE_DELETE, as SQLite itself does) is never
// used: Open fails, naming the file, and leaves it as it was.
#include <windows.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "platform/private_file.h"
#include "test_verdicts.h"

namespace gg::store::testing {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::filesystem::path& p) {
  auto text = ReadFile(p);
  return text ? *text : "(unreadable: " + text.error().message + ")";
}

TEST_F(StoreTest, CorruptDatabaseHeldOpenElsewhereIsNotUsed) {
  ASSERT_TRUE(EnsurePrivateDirectory(state_));
  const std::string garbage(20000, '\x5a');
  ASSERT_TRUE(WritePrivateFileAtomic(DbPath(), garbage));
  // Read and write sharing, no delete sharing: a rename of the file fails.
  HANDLE holder = CreateFileW(DbPath().c_str(), GENERIC_READ,
                              FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(holder, INVALID_HANDLE_VALUE) << GetLastError();
  auto store = SqliteVerdictStore::Open(Options());
  CloseHandle(holder);
  ASSERT_FALSE(store);
  EXPECT_THAT(store.error().message, HasSubstr("not using it"));
  EXPECT_THAT(store.error().message, HasSubstr("cache.db"));
  EXPECT_EQ(Slurp(DbPath()), garbage);

  // Once nothing holds it, the next start moves it aside as usual.
  auto again = SqliteVerdictStore::Open(Options());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE((*again)->recreated());
  EXPECT_EQ(Slurp((*again)->moved_aside_to()), garbage);
}

}  // namespace
}  // namespace gg::store::testing
