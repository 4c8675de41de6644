#include "agent/store/sqlite.h"

#include <sqlite3.h>

#include <climits>

namespace gg::store::sqlite {

Error MakeSqliteError(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  bool corrupt = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
  std::string detail = sqlite3_errstr(rc);
  // The connection's message is more specific when it belongs to this rc.
  if (db != nullptr && sqlite3_extended_errcode(db) == rc)
    detail = sqlite3_errmsg(db);
  return Error{
      corrupt ? ErrorCode::kStoreCorrupt : ErrorCode::kStore,
      std::string(what) + ": " + detail + " (" + std::to_string(rc) + ")"};
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr)
      sqlite3_finalize(stmt_);
    db_ = std::exchange(o.db_, nullptr);
    stmt_ = std::exchange(o.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  // finalize returns the last step's error, which Step already reported.
  if (stmt_ != nullptr)
    sqlite3_finalize(stmt_);
}

Status Statement::Bind(int index, std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX))
    return MakeError(ErrorCode::kStore, "value too large to store");
  int rc = sqlite3_bind_text(stmt_, index, text.data(),
                             static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db_, rc, "bind"));
  return Ok();
}

Status Statement::Bind(int index, long long value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db_, rc, "bind"));
  return Ok();
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  Error e = MakeSqliteError(db_, rc, "step");
  sqlite3_reset(stmt_);
  return tl::unexpected(std::move(e));
}

std::string Statement::ColumnText(int column) const {
  const auto* p =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(n));
}

long long Statement::ColumnInt(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr)
      sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr)
    sqlite3_close_v2(db_);
}

Result<Db> Db::Open(const std::filesystem::path& path) {
  Db db;
  // SQLite takes UTF-8 file names on every OS (path::c_str() is wide on
  // Windows).
  const std::u8string utf8 = path.u8string();
  const std::string name(utf8.begin(), utf8.end());
  int rc = sqlite3_open_v2(
      name.c_str(), &db.db_,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db.db_, rc, "open " + path.string()));
  rc = sqlite3_extended_result_codes(db.db_, 1);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db.db_, rc, "extended codes"));
  return db;
}

Result<Statement> Db::Prepare(std::string_view sql) {
  if (db_ == nullptr)
    return MakeError(ErrorCode::kStore, "database is closed");
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()),
                              &stmt, nullptr);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db_, rc, "prepare"));
  return Statement(db_, stmt);
}

Status Db::Exec(const char* sql) {
  if (db_ == nullptr)
    return MakeError(ErrorCode::kStore, "database is closed");
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db_, rc, "exec"));
  return Ok();
}

Result<std::string> Db::QueryText(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt)
    return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row)
    return tl::unexpected(row.error());
  if (!*row)
    return MakeError(ErrorCode::kStore, "query returned no row");
  return stmt->ColumnText(0);
}

Result<long long> Db::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt)
    return tl::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row)
    return tl::unexpected(row.error());
  if (!*row)
    return MakeError(ErrorCode::kStore, "query returned no row");
  return stmt->ColumnInt(0);
}

Status Db::Close() {
  if (db_ == nullptr)
    return Ok();
  int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK)
    return tl::unexpected(MakeSqliteError(db_, rc, "close"));
  db_ = nullptr;
  return Ok();
}

Result<Transaction> Transaction::Begin(Db* db) {
  // IMMEDIATE takes the write lock now, so a busy database fails here
  // (after the busy timeout) rather than halfway through.
  auto s = db->Exec("BEGIN IMMEDIATE");
  if (!s)
    return tl::unexpected(s.error());
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr)
    (void)db_->Exec("ROLLBACK");  // best effort; the caller already failed
}

Status Transaction::Commit() {
  auto s = db_->Exec("COMMIT");
  if (!s)
    return s;  // still open: the destructor rolls back
  db_ = nullptr;
  return Ok();
}

}  // namespace gg::store::sqlite
