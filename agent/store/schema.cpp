#include "agent/store/schema.h"

#include <string>

namespace gg::store {
namespace {

// Append only: a released migration is never edited, a change is a new one.
constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE verdicts ("
     "  product_id TEXT NOT NULL,"
     "  license_key TEXT NOT NULL,"
     "  request_nonce TEXT NOT NULL,"
     "  request_body TEXT NOT NULL,"
     "  status INTEGER NOT NULL,"
     "  response_timestamp TEXT NOT NULL,"
     "  response_signature TEXT NOT NULL,"
     "  response_body TEXT NOT NULL,"
     "  received_at INTEGER NOT NULL,"
     "  PRIMARY KEY (product_id, license_key));"
     "CREATE TABLE state (name TEXT PRIMARY KEY, value TEXT NOT NULL);"},
    {2,
     "CREATE TABLE events ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  at INTEGER NOT NULL,"
     "  product_id TEXT NOT NULL,"
     "  outcome TEXT NOT NULL,"
     "  request_id TEXT NOT NULL);"},
};

static_assert(std::size(kMigrations) == kSchemaVersion);

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

Status MigrateToLatest(sqlite::Db* db) {
  auto version = db->QueryInt("PRAGMA user_version");
  if (!version)
    return tl::unexpected(version.error());
  if (*version > kSchemaVersion)
    return MakeError(ErrorCode::kStoreVersion,
                     "database schema version " + std::to_string(*version) +
                         " is newer than this agent's " +
                         std::to_string(kSchemaVersion) +
                         "; refusing to downgrade it");
  for (const Migration& m : kMigrations) {
    if (m.version <= *version)
      continue;
    auto tx = sqlite::Transaction::Begin(db);
    if (!tx)
      return tl::unexpected(tx.error());
    if (auto s = db->Exec(m.sql); !s)
      return s;
    // user_version lives in the header page, so it commits atomically with
    // the migration it records.
    std::string bump = "PRAGMA user_version = " + std::to_string(m.version);
    if (auto s = db->Exec(bump.c_str()); !s)
      return s;
    if (auto s = tx->Commit(); !s)
      return s;
  }
  return Ok();
}

}  // namespace gg::store
