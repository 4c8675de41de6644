// The store's schema as a list of forward migrations, keyed by
// PRAGMA user_version. Version N's migration turns a version N-1 database
// into version N; a database newer than kSchemaVersion is refused (never
// downgraded), since an older agent cannot know what the newer one stored.
#ifndef GG_AGENT_STORE_SCHEMA_H_
#define GG_AGENT_STORE_SCHEMA_H_

#include <span>

#include "agent/store/sqlite.h"
#include "platform/result.h"

namespace gg::store {

struct Migration {
  int version;      // user_version after this migration
  const char* sql;  // one or more statements
};

// Every migration, in order; the last one's version is kSchemaVersion.
std::span<const Migration> Migrations();
inline constexpr int kSchemaVersion = 2;

// Applies every migration above the database's user_version, each in its
// own transaction together with its user_version bump. Error code
// "STORE_VERSION" for a database newer than kSchemaVersion.
[[nodiscard]] Status MigrateToLatest(sqlite::Db* db);

}  // namespace gg::store

#endif  // GG_AGENT_STORE_SCHEMA_H_
