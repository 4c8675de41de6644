// Test helpers for the store: really signed verdicts (a test seed and
// gg::signing::SignResponse), a private temp state directory, and raw
// SQLite access to edit the database file behind the store's back.
#ifndef GG_TESTS_AGENT_STORE_TEST_VERDICTS_H_
#define GG_TESTS_AGENT_STORE_TEST_VERDICTS_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agent/store/sqlite_verdict_store.h"

struct sqlite3;

namespace gg::store::testing {

// The test signing seed and its raw public key.
std::string TestSeed();
std::string TestPublicKey();

// A verdict for (product, license) signed with TestSeed(). `allow` false
// makes a 403 HWID_MISMATCH denial.
StoredVerdict MakeVerdict(const std::string& product,
                          const std::string& license,
                          bool allow = true,
                          const std::string& expires = "2027-01-01T00:00:00Z");

// Runs `sql` on the database file with a connection of its own.
void RawExec(const std::filesystem::path& db, const std::string& sql);
long long RawInt(const std::filesystem::path& db, const std::string& sql);
std::string RawText(const std::filesystem::path& db, const std::string& sql);

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  StoreOptions Options() const;
  std::unique_ptr<SqliteVerdictStore> OpenStore();
  std::filesystem::path DbPath() const { return state_ / kDatabaseFileName; }

  std::filesystem::path root_;   // temp dir, removed at the end
  std::filesystem::path state_;  // root_/state, the store's directory
};

}  // namespace gg::store::testing

#endif  // GG_TESTS_AGENT_STORE_TEST_VERDICTS_H_
