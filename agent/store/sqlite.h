// Small RAII wrappers over the SQLite C API: a connection, a prepared
// statement and a transaction. Every sqlite3 return code becomes a
// gg::Error: code ErrorCode::kStoreCorrupt for SQLITE_CORRUPT / SQLITE_NOTADB
// (the caller may move the file aside), ErrorCode::kStore for everything else.
//
// Internal to gg_store. Objects are move-only and not thread-safe: one
// thread uses a connection and its statements at a time.
#ifndef GG_AGENT_STORE_SQLITE_H_
#define GG_AGENT_STORE_SQLITE_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "platform/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gg::store::sqlite {

// The error for return code `rc` of `what` on `db` (may be null).
Error MakeSqliteError(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept
      : db_(std::exchange(o.db_, nullptr)),
        stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text is bound by copy with its
  // exact length, so any bytes round-trip.
  [[nodiscard]] Status Bind(int index, std::string_view text);
  [[nodiscard]] Status Bind(int index, long long value);

  // Runs one step: true when a row is ready, false when done.
  [[nodiscard]] Result<bool> Step();
  // Runs to completion, calling `on_row(*this)` for each row; the first
  // step's error, if any (rows seen before it were handed over).
  template <class OnRow>
  [[nodiscard]] Status ForEachRow(OnRow&& on_row) {
    for (;;) {
      auto row = Step();
      if (!row)
        return tl::unexpected(row.error());
      if (!*row)
        return Ok();
      on_row(static_cast<const Statement&>(*this));
    }
  }
  // Runs to completion, ignoring rows.
  [[nodiscard]] Status Run() {
    return ForEachRow([](const Statement&) {});
  }

  std::string ColumnText(int column) const;  // 0-based
  long long ColumnInt(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  Db() = default;
  Db(Db&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();  // closes (sqlite3_close_v2)

  // Opens an existing or new database file read-write with extended result
  // codes on.
  [[nodiscard]] static Result<Db> Open(const std::filesystem::path& path);

  [[nodiscard]] Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements without results.
  [[nodiscard]] Status Exec(const char* sql);
  // Runs a statement that yields one text value (PRAGMA journal_mode=WAL).
  [[nodiscard]] Result<std::string> QueryText(std::string_view sql);
  [[nodiscard]] Result<long long> QueryInt(std::string_view sql);

  // Closes now; an error when SQLite cannot (statements still open).
  [[nodiscard]] Status Close();

  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back if destroyed uncommitted.
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction> Begin(Db* db);
  Transaction(Transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  [[nodiscard]] Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_ = nullptr;
};

}  // namespace gg::store::sqlite

#endif  // GG_AGENT_STORE_SQLITE_H_
