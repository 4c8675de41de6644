// SqliteVerdictStore::Open: file modes, pragmas, the integrity check and
// moving a corrupt database aside.
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <string>
#include <system_error>
#include <vector>

#include "agent/store/schema.h"
#include "agent/store/sqlite_verdict_store.h"
#include "platform/private_file.h"

namespace gg::store {
namespace {

constexpr const char* kCompanions[] = {"-wal", "-shm", "-journal"};

std::filesystem::path WithSuffix(const std::filesystem::path& p,
                                 const char* suffix) {
  std::filesystem::path out = p;
  out += suffix;
  return out;
}

bool Present(const std::filesystem::path& p) {
  std::error_code ec;
  // symlink_status: a dangling link is there too.
  return std::filesystem::symlink_status(p, ec).type() !=
         std::filesystem::file_type::not_found;
}

// Tightens the database's companion files, which SQLite creates with the
// main file's mode, in case an older run left them looser. Only before
// SQLite opens the database: POSIX record locks belong to the process, and
// closing any descriptor of a file drops all of them, so an open()+close()
// of the -shm behind SQLite's back drops its shared "dead man switch" lock.
// The next process to open the database (sqlite3, a backup tool) then
// believes it is alone, truncates the -shm, and the agent dies of SIGBUS
// on its mapping of it.
Status MakeCompanionsPrivate(const std::filesystem::path& db_path) {
  for (const char* suffix : kCompanions) {
    auto p = WithSuffix(db_path, suffix);
    if (Present(p))
      if (auto s = MakeFilePrivate(p); !s)
        return s;
  }
  return Ok();
}

// PRAGMA quick_check answers one row "ok", or one row per problem.
Status QuickCheck(sqlite::Db* db) {
  auto stmt = db->Prepare("PRAGMA quick_check(5)");
  if (!stmt)
    return tl::unexpected(stmt.error());
  std::string problems;
  bool ok = false;
  auto read = stmt->ForEachRow([&](const sqlite::Statement& row) {
    std::string line = row.ColumnText(0);
    if (line == "ok") {
      ok = true;
      return;
    }
    // Rows span lines; the log wants one line per event.
    for (char& c : line)
      if (c == '\n')
        c = ' ';
    problems += (problems.empty() ? "" : "; ") + line;
  });
  if (!read)
    return read;
  if (ok)
    return Ok();
  return MakeError(ErrorCode::kStoreCorrupt, "quick_check: " + problems);
}

// Renames `path` to `path`<tag>-<ts>[.N]; a link is moved, never its
// target.
Result<std::filesystem::path> RenameAside(const std::filesystem::path& path,
                                          const std::string& tag,
                                          long long now) {
  const std::string stem = tag + "-" + std::to_string(now);
  std::filesystem::path target = WithSuffix(path, stem.c_str());
  for (int n = 1; Present(target); ++n)
    target = WithSuffix(path, (stem + "." + std::to_string(n)).c_str());
  std::error_code ec;
  std::filesystem::rename(path, target, ec);
  if (ec)
    return MakeError(ErrorCode::kStore, "cannot move " + path.string() +
                                            " aside: " + ec.message());
  return target;
}

// Anything at the database's names that is not a regular file of the
// agent's own (a link to a file of someone else's, a FIFO, a hard link) is
// moved aside before SQLite or a chmod can touch what it points at.
Status MoveAsideForeignFiles(const std::filesystem::path& db_path,
                             long long now) {
  std::vector<std::filesystem::path> names = {db_path};
  for (const char* suffix : kCompanions)
    names.push_back(WithSuffix(db_path, suffix));
  for (const auto& name : names) {
    std::string why;
    auto kind = InspectOwnFile(name, &why);
    if (!kind)
      return tl::unexpected(kind.error());
    if (*kind != FileKind::kOther)
      continue;
    auto moved = RenameAside(name, ".unsafe", now);
    if (!moved)
      return tl::unexpected(moved.error());
    spdlog::warn(
        "verdict store: {} is {}, not a file of the agent's own; moved it "
        "to {} untouched",
        name.string(), why, moved->string());
  }
  return Ok();
}

// Renames the database and its companions to cache.db.corrupt-<ts>[.N].
Result<std::filesystem::path> MoveAside(const std::filesystem::path& db_path,
                                        long long now) {
  auto moved = RenameAside(db_path, ".corrupt", now);
  if (!moved)
    return moved;
  const std::filesystem::path target = *moved;
  std::error_code ec;
  for (const char* suffix : kCompanions) {
    auto from = WithSuffix(db_path, suffix);
    if (!Present(from))
      continue;
    std::filesystem::rename(from, WithSuffix(target, suffix), ec);
    if (ec)
      return MakeError(ErrorCode::kStore, "cannot move " + from.string() +
                                              " aside: " + ec.message());
  }
  return target;
}

// A state directory the agent cannot write (a read-only mount, a full
// disk at start) would otherwise surface as SQLite's "unable to open
// database file" or a failed first write far from the cause; a file
// created and removed here names the directory and the errno.
Status ProbeWritable(const std::filesystem::path& dir) {
  const std::filesystem::path probe = dir / ".write-probe";
  if (auto s = WritePrivateFileAtomic(probe, "probe\n"); !s)
    return MakeError(ErrorCode::kStore,
                     "state directory " + dir.string() +
                         " is not writable: " + s.error().message);
  std::error_code ec;
  std::filesystem::remove(probe, ec);
  if (ec)
    return MakeError(ErrorCode::kStore, "state directory " + dir.string() +
                                            " is not writable: cannot "
                                            "remove " +
                                            probe.string() + ": " +
                                            ec.message());
  return Ok();
}

// Sets the connection up and checks it; the caller moves the files aside
// on ErrorCode::kStoreCorrupt.
Status Configure(sqlite::Db* db, const StoreOptions& options) {
  int rc = sqlite3_busy_timeout(db->get(),
                                static_cast<int>(options.busy_timeout.count()));
  if (rc != SQLITE_OK)
    return tl::unexpected(sqlite::MakeSqliteError(db->get(), rc, "busy"));
  // The first statement reads the header: garbage fails here (NOTADB).
  auto journal = db->QueryText("PRAGMA journal_mode=WAL");
  if (!journal)
    return tl::unexpected(journal.error());
  if (*journal != "wal")
    return MakeError(ErrorCode::kStore, "cannot enable WAL: " + *journal);
  // FULL: a commit is fsynced before it returns, so an acknowledged verdict
  // survives kill -9 and power loss.
  if (auto s = db->Exec("PRAGMA synchronous=FULL"); !s)
    return tl::unexpected(s.error());
  if (auto s = QuickCheck(db); !s)
    return tl::unexpected(s.error());
  if (auto s = MigrateToLatest(db); !s)
    return tl::unexpected(s.error());
  return Ok();
}

// Closes a connection to a corrupt database without changing its files.
// It must be closed before it is moved: Windows cannot rename a file that
// SQLite holds open (no FILE_SHARE_DELETE). A plain close would checkpoint
// the -wal into the file and delete it; both are worth keeping as they are,
// so checkpoint-on-close is off. A connection that cannot be closed is an
// error: the file is then neither moved nor used.
Status CloseUntouched(sqlite::Db* db) {
  int rc = sqlite3_db_config(db->get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
                             nullptr);
  if (rc != SQLITE_OK)
    return tl::unexpected(
        sqlite::MakeSqliteError(db->get(), rc, "no checkpoint on close"));
  return db->Close();
}

// Opens and checks the database. A corrupt one is closed untouched and
// moved aside (to *moved); if it cannot be, Open fails rather than use it.
Result<sqlite::Db> TryOpen(const std::filesystem::path& db_path,
                           const StoreOptions& options,
                           long long now,
                           std::filesystem::path* moved) {
  if (auto s = MoveAsideForeignFiles(db_path, now); !s)
    return tl::unexpected(s.error());
  // Created empty with mode 0600 before SQLite touches it, so the database
  // is never readable by others, not even for a moment.
  Status mode = Present(db_path) ? MakeFilePrivate(db_path)
                                 : WritePrivateFileAtomic(db_path, "");
  if (!mode)
    return tl::unexpected(mode.error());
  if (auto s = MakeCompanionsPrivate(db_path); !s)
    return tl::unexpected(s.error());
  auto db = sqlite::Db::Open(db_path);
  if (!db)
    return db;
  if (auto s = Configure(&*db, options); !s) {
    if (s.error().code == ErrorCode::kStoreCorrupt) {
      if (auto closed = CloseUntouched(&*db); !closed)
        return MakeError(ErrorCode::kStore,
                         db_path.string() + " is corrupt (" +
                             s.error().message +
                             ") and cannot be closed to move it aside: " +
                             closed.error().message);
      auto target = MoveAside(db_path, now);
      if (!target)
        return MakeError(ErrorCode::kStore, db_path.string() + " is corrupt (" +
                                                s.error().message + ") and " +
                                                target.error().message +
                                                "; not using it");
      *moved = *target;
    }
    return tl::unexpected(s.error());
  }
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteVerdictStore>> SqliteVerdictStore::Open(
    StoreOptions options) {
  if (auto s = EnsurePrivateDirectory(options.state_dir); !s)
    return tl::unexpected(s.error());
  if (auto s = ProbeWritable(options.state_dir); !s)
    return tl::unexpected(s.error());
  const std::filesystem::path db_path = options.state_dir / kDatabaseFileName;
  SystemClock system_clock;
  const Clock& clock = options.clock != nullptr ? *options.clock : system_clock;
  const long long now = UnixSeconds(clock.Now());
  std::filesystem::path moved;
  auto db = TryOpen(db_path, options, now, &moved);
  if (!db && !moved.empty()) {
    spdlog::warn(
        "verdict store {} is corrupt ({}); moved it to {} and started an "
        "empty one: nothing is cached",
        db_path.string(), db.error().message, moved.string());
    std::filesystem::path moved_again;
    db = TryOpen(db_path, options, now, &moved_again);
  }
  if (!db)
    return tl::unexpected(db.error());
  std::unique_ptr<SqliteVerdictStore> store(
      new SqliteVerdictStore(std::move(options), std::move(*db)));
  store->db_path_ = db_path;
  store->moved_aside_to_ = moved;
  auto superseded = SupersededKeys::Open(store->options_.state_dir);
  if (!superseded && superseded.error().code == ErrorCode::kInsecureFile)
    return tl::unexpected(superseded.error());
  if (superseded) {
    store->superseded_ =
        std::make_unique<SupersededKeys>(*std::move(superseded));
  } else {
    // A full disk at start: the agent runs as it would have without the
    // file, only unable to mark a row it later fails to replace.
    spdlog::error("store: {}; rows that cannot be replaced cannot be marked",
                  superseded.error().message);
  }
  return store;
}

}  // namespace gg::store
