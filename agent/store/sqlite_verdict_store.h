// SqliteVerdictStore: the VerdictStore in `<state dir>/cache.db`
// (spec/agent.md §4).
//
// Open():
//   - makes the state directory 0700 and the database files (cache.db,
//     -wal, -shm) 0600; a state directory that is a link, another user's
//     or writable by others is refused ("INSECURE_FILE");
//   - moves aside (`<name>.unsafe-<unix time>`, with a warning) anything
//     at the database's names that is not a regular file of the agent's
//     own: a link is never followed, its target never re-moded or written
//     (and SQLite opens with SQLITE_OPEN_NOFOLLOW);
//   - sets WAL, synchronous=FULL and a busy timeout;
//   - runs PRAGMA quick_check; a database that fails it or is not SQLite at
//     all (garbage, truncated) is moved aside to
//     `cache.db.corrupt-<unix time>` (with its -wal/-shm), a warning is
//     logged, a fresh database is created and recreated() says so;
//   - migrates the schema forward (schema.h); a newer schema is an error
//     (code "STORE_VERSION"), never a downgrade and never moved aside.
//   Other failures (permissions, a locked database) are errors with code
//   "STORE" and leave the files alone.
//
// LoadVerdicts() checks every row (verdict_check.h), on up to
// StoreOptions::verify_threads short-lived threads of its own, and deletes,
// with a warning, each row that fails. LoadUnverifiedVerdicts() only reads
// (the agent's start: it checks each row with CheckVerdict later), as do
// LoadUnverifiedPage() and LoadUnverifiedVerdict(). PutVerdict()
// refuses a verdict that would fail the same checks, and is durable (committed
// with synchronous=FULL) when it returns.
//
// Threads: one store object is used by one thread at a time (the engine's
// store worker); calls are blocking disk I/O and must stay off the event
// loop. Several processes may open the same file (SQLite locking), but the
// agent expects to be alone.
#ifndef GG_AGENT_STORE_SQLITE_VERDICT_STORE_H_
#define GG_AGENT_STORE_SQLITE_VERDICT_STORE_H_

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/store/sqlite.h"
#include "agent/store/superseded_keys.h"
#include "agent/store/verdict_store.h"
#include "platform/clock.h"
#include "platform/result.h"

namespace gg::store {

inline constexpr const char* kDatabaseFileName = "cache.db";

struct StoreOptions {
  std::filesystem::path state_dir;
  // Raw 32-byte Ed25519 keys (config server.responsePublicKeys, decoded).
  std::vector<std::string> response_public_keys;
  // Names the moved-aside file; the system clock when null. Not owned.
  const Clock* clock = nullptr;
  // Oldest events are pruned beyond this many.
  int max_events = 1000;
  std::chrono::milliseconds busy_timeout{5000};
  // Threads LoadVerdicts may use to check signatures (used only for large
  // caches; 0 or 1: the calling thread alone).
  unsigned verify_threads = 2;
};

class SqliteVerdictStore final : public VerdictStore {
 public:
  [[nodiscard]] static Result<std::unique_ptr<SqliteVerdictStore>> Open(
      StoreOptions options);

  ~SqliteVerdictStore() override;

  [[nodiscard]] Result<std::vector<StoredVerdict>> LoadVerdicts() override;
  [[nodiscard]] Result<std::vector<StoredVerdict>> LoadUnverifiedVerdicts()
      override;
  [[nodiscard]] Result<VerdictPage> LoadUnverifiedPage(
      const std::optional<VerdictKey>& after,
      std::size_t limit) override;
  [[nodiscard]] Result<std::optional<StoredVerdict>> LoadUnverifiedVerdict(
      const VerdictKey& key) override;
  [[nodiscard]] Result<std::size_t> CountVerdicts() override;
  [[nodiscard]] Status CheckVerdict(
      const StoredVerdict& verdict) const override;
  [[nodiscard]] Status PutVerdict(const StoredVerdict& verdict) override;
  [[nodiscard]] Status DeleteVerdict(const VerdictKey& key) override;
  [[nodiscard]] Status MarkSuperseded(const VerdictKey& key) override;
  [[nodiscard]] Result<std::optional<std::string>> GetState(
      const std::string& name) override;
  [[nodiscard]] Status PutState(const std::string& name,
                                const std::string& value) override;
  [[nodiscard]] Status AppendEvent(const UpstreamEvent& event) override;

  // The event log, oldest first (for status and tests).
  [[nodiscard]] Result<std::vector<UpstreamEvent>> ListEvents();

  // True when Open() found the database corrupt and started a new one;
  // moved_aside_to() is where the old file went.
  bool recreated() const { return !moved_aside_to_.empty(); }
  const std::filesystem::path& moved_aside_to() const {
    return moved_aside_to_;
  }
  // Rows LoadVerdicts() deleted since Open().
  int dropped_rows() const { return dropped_rows_; }

  const std::filesystem::path& database_path() const { return db_path_; }

  // Closes the database cleanly (checkpoints the WAL). Further calls fail.
  [[nodiscard]] Status Close();

 private:
  SqliteVerdictStore(StoreOptions options, sqlite::Db db);
  [[nodiscard]] Status DeleteRow(const VerdictKey& key);
  // Leaves out (and deletes, with a warning) the rows of superseded keys.
  std::vector<StoredVerdict> DropSuperseded(std::vector<StoredVerdict> rows);
  // After a successful write or delete of the key's row.
  void ClearSuperseded(const VerdictKey& key);

  StoreOptions options_;
  sqlite::Db db_;
  std::filesystem::path db_path_;
  std::filesystem::path moved_aside_to_;
  int dropped_rows_ = 0;
  // Null when the file could not be created (then nothing can be marked).
  std::unique_ptr<SupersededKeys> superseded_;
};

}  // namespace gg::store

#endif  // GG_AGENT_STORE_SQLITE_VERDICT_STORE_H_
