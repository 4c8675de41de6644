// SqliteVerdictStore: reads and writes (Open is in store_open.cpp).
#include "agent/store/sqlite_verdict_store.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "agent/store/verdict_check.h"
#include "platform/log.h"

namespace gg::store {

SqliteVerdictStore::SqliteVerdictStore(StoreOptions options, sqlite::Db db)
    : options_(std::move(options)), db_(std::move(db)) {}

SqliteVerdictStore::~SqliteVerdictStore() = default;

Status SqliteVerdictStore::Close() {
  return db_.Close();
}

namespace {

constexpr const char* kRowColumns =
    "SELECT product_id, license_key, request_nonce, request_body, status,"
    " response_timestamp, response_signature, response_body, received_at"
    " FROM verdicts";

StoredVerdict ReadRow(const sqlite::Statement& row) {
  StoredVerdict v;
  v.key.product_id = row.ColumnText(0);
  v.key.license_key = row.ColumnText(1);
  v.material.request_nonce = row.ColumnText(2);
  v.material.request_body = row.ColumnText(3);
  v.material.status = static_cast<int>(row.ColumnInt(4));
  v.material.response_timestamp = row.ColumnText(5);
  v.material.response_signature = row.ColumnText(6);
  v.material.response_body = row.ColumnText(7);
  v.received_at = row.ColumnInt(8);
  return v;
}

Result<std::vector<StoredVerdict>> ReadRows(sqlite::Statement& stmt) {
  std::vector<StoredVerdict> rows;
  auto read = stmt.ForEachRow(
      [&rows](const sqlite::Statement& row) { rows.push_back(ReadRow(row)); });
  if (!read)
    return tl::unexpected(read.error());
  return rows;
}

}  // namespace

std::vector<StoredVerdict> SqliteVerdictStore::DropSuperseded(
    std::vector<StoredVerdict> rows) {
  if (superseded_ == nullptr || superseded_->size() == 0)
    return rows;
  std::vector<StoredVerdict> current;
  for (StoredVerdict& v : rows) {
    if (!superseded_->Contains(v.key)) {
      current.push_back(std::move(v));
      continue;
    }
    spdlog::warn(
        "dropping cached verdict for product {} key {}: a denial that could "
        "not be stored replaced it",
        v.key.product_id, log::MaskValue(v.key.license_key));
    ++dropped_rows_;
    if (auto s = DeleteRow(v.key); !s) {
      spdlog::error("store: deleting the replaced verdict: {}",
                    s.error().message);
      continue;  // still marked: never loaded
    }
    ClearSuperseded(v.key);
  }
  return current;
}

Result<std::vector<StoredVerdict>>
SqliteVerdictStore::LoadUnverifiedVerdicts() {
  auto stmt = db_.Prepare(kRowColumns);
  if (!stmt)
    return tl::unexpected(stmt.error());
  auto rows = ReadRows(*stmt);
  if (!rows)
    return tl::unexpected(rows.error());
  return DropSuperseded(*std::move(rows));
}

Result<VerdictPage> SqliteVerdictStore::LoadUnverifiedPage(
    const std::optional<VerdictKey>& after,
    std::size_t limit) {
  // The primary key's order: each page is one index range, however large
  // the table.
  auto stmt =
      db_.Prepare(std::string(kRowColumns) +
                  (after ? " WHERE (product_id, license_key) > (?1, ?2)" : "") +
                  " ORDER BY product_id, license_key LIMIT ?3");
  if (!stmt)
    return tl::unexpected(stmt.error());
  Status bound = stmt->Bind(3, static_cast<long long>(limit));
  if (bound && after) {
    bound = stmt->Bind(1, after->product_id).and_then([&] {
      return stmt->Bind(2, after->license_key);
    });
  }
  if (!bound)
    return tl::unexpected(bound.error());
  auto rows = ReadRows(*stmt);
  if (!rows)
    return tl::unexpected(rows.error());
  VerdictPage page;
  if (rows->size() == limit && limit > 0)
    page.next_after = rows->back().key;
  page.rows = DropSuperseded(*std::move(rows));
  return page;
}

Result<std::optional<StoredVerdict>> SqliteVerdictStore::LoadUnverifiedVerdict(
    const VerdictKey& key) {
  auto stmt = db_.Prepare(std::string(kRowColumns) +
                          " WHERE product_id = ?1 AND license_key = ?2");
  if (!stmt)
    return tl::unexpected(stmt.error());
  if (auto s = stmt->Bind(1, key.product_id).and_then([&] {
        return stmt->Bind(2, key.license_key);
      });
      !s)
    return tl::unexpected(s.error());
  auto rows = ReadRows(*stmt);
  if (!rows)
    return tl::unexpected(rows.error());
  auto current = DropSuperseded(*std::move(rows));
  if (current.empty())
    return std::optional<StoredVerdict>();
  return std::optional<StoredVerdict>(std::move(current.front()));
}

Result<std::size_t> SqliteVerdictStore::CountVerdicts() {
  auto n = db_.QueryInt("SELECT count(*) FROM verdicts");
  if (!n)
    return tl::unexpected(n.error());
  return static_cast<std::size_t>(*n);
}

Status SqliteVerdictStore::CheckVerdict(const StoredVerdict& verdict) const {
  return CheckStoredVerdict(options_.response_public_keys, verdict);
}

Result<std::vector<StoredVerdict>> SqliteVerdictStore::LoadVerdicts() {
  auto read = LoadUnverifiedVerdicts();
  if (!read)
    return tl::unexpected(read.error());
  std::vector<StoredVerdict>& rows = *read;
  auto checks = CheckStoredVerdicts(options_.response_public_keys, rows,
                                    options_.verify_threads);
  std::vector<StoredVerdict> good;
  std::vector<std::pair<VerdictKey, std::string>> bad;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (checks[i])
      good.push_back(std::move(rows[i]));
    else
      bad.emplace_back(std::move(rows[i].key), checks[i].error().message);
  }
  for (const auto& [key, reason] : bad) {
    // A row can only fail after someone edited the file or the vendor
    // retired the key that signed it; either way it must not be used.
    spdlog::warn("dropping cached verdict for product {} key {}: {}",
                 key.product_id, log::MaskValue(key.license_key), reason);
    if (auto s = DeleteRow(key); !s)
      return tl::unexpected(s.error());
    ++dropped_rows_;
  }
  return good;
}

Status SqliteVerdictStore::PutVerdict(const StoredVerdict& verdict) {
  // Storing what LoadVerdicts would drop helps no one: fail now, loudly.
  if (auto ok = CheckStoredVerdict(options_.response_public_keys, verdict); !ok)
    return ok;
  auto tx = sqlite::Transaction::Begin(&db_);
  if (!tx)
    return tl::unexpected(tx.error());
  auto stmt = db_.Prepare(
      "INSERT OR REPLACE INTO verdicts (product_id, license_key,"
      " request_nonce, request_body, status, response_timestamp,"
      " response_signature, response_body, received_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!stmt)
    return tl::unexpected(stmt.error());
  const upstream::SignedMaterial& m = verdict.material;
  Status s =
      stmt->Bind(1, verdict.key.product_id)
          .and_then([&] { return stmt->Bind(2, verdict.key.license_key); })
          .and_then([&] { return stmt->Bind(3, m.request_nonce); })
          .and_then([&] { return stmt->Bind(4, m.request_body); })
          .and_then(
              [&] { return stmt->Bind(5, static_cast<long long>(m.status)); })
          .and_then([&] { return stmt->Bind(6, m.response_timestamp); })
          .and_then([&] { return stmt->Bind(7, m.response_signature); })
          .and_then([&] { return stmt->Bind(8, m.response_body); })
          .and_then([&] { return stmt->Bind(9, verdict.received_at); })
          .and_then([&] { return stmt->Run(); });
  if (!s)
    return s;
  if (auto c = tx->Commit(); !c)
    return c;
  ClearSuperseded(verdict.key);
  return Ok();
}

Status SqliteVerdictStore::DeleteRow(const VerdictKey& key) {
  auto stmt = db_.Prepare(
      "DELETE FROM verdicts WHERE product_id = ?1 AND license_key = ?2");
  if (!stmt)
    return tl::unexpected(stmt.error());
  return stmt->Bind(1, key.product_id)
      .and_then([&] { return stmt->Bind(2, key.license_key); })
      .and_then([&] { return stmt->Run(); });
}

Status SqliteVerdictStore::DeleteVerdict(const VerdictKey& key) {
  if (auto s = DeleteRow(key); !s)
    return s;
  ClearSuperseded(key);
  return Ok();
}

Status SqliteVerdictStore::MarkSuperseded(const VerdictKey& key) {
  if (superseded_ == nullptr)
    return MakeError(ErrorCode::kIo,
                     "no superseded-keys file in the state directory");
  return superseded_->Add(key);
}

void SqliteVerdictStore::ClearSuperseded(const VerdictKey& key) {
  if (superseded_ == nullptr || !superseded_->Contains(key))
    return;
  // Left behind, the mark only drops the key's newer row at the next start:
  // one more trip to the server.
  if (auto s = superseded_->Remove(key); !s)
    spdlog::warn("store: clearing a superseded mark: {}", s.error().message);
}

Result<std::optional<std::string>> SqliteVerdictStore::GetState(
    const std::string& name) {
  auto stmt = db_.Prepare("SELECT value FROM state WHERE name = ?1");
  if (!stmt)
    return tl::unexpected(stmt.error());
  if (auto s = stmt->Bind(1, name); !s)
    return tl::unexpected(s.error());
  auto row = stmt->Step();
  if (!row)
    return tl::unexpected(row.error());
  if (!*row)
    return std::optional<std::string>();
  return std::optional<std::string>(stmt->ColumnText(0));
}

Status SqliteVerdictStore::PutState(const std::string& name,
                                    const std::string& value) {
  auto stmt =
      db_.Prepare("INSERT OR REPLACE INTO state (name, value) VALUES (?1, ?2)");
  if (!stmt)
    return tl::unexpected(stmt.error());
  return stmt->Bind(1, name)
      .and_then([&] { return stmt->Bind(2, value); })
      .and_then([&] { return stmt->Run(); });
}

Status SqliteVerdictStore::AppendEvent(const UpstreamEvent& event) {
  auto tx = sqlite::Transaction::Begin(&db_);
  if (!tx)
    return tl::unexpected(tx.error());
  {
    auto insert = db_.Prepare(
        "INSERT INTO events (at, product_id, outcome, request_id)"
        " VALUES (?1, ?2, ?3, ?4)");
    if (!insert)
      return tl::unexpected(insert.error());
    Status s = insert->Bind(1, event.at)
                   .and_then([&] { return insert->Bind(2, event.product_id); })
                   .and_then([&] { return insert->Bind(3, event.outcome); })
                   .and_then([&] { return insert->Bind(4, event.request_id); })
                   .and_then([&] { return insert->Run(); });
    if (!s)
      return s;
    // AUTOINCREMENT ids never repeat, so the newest max_events rows are the
    // ids above last - max_events.
    auto prune =
        db_.Prepare("DELETE FROM events WHERE id <= last_insert_rowid() - ?1");
    if (!prune)
      return tl::unexpected(prune.error());
    s = prune->Bind(1, static_cast<long long>(options_.max_events))
            .and_then([&] { return prune->Run(); });
    if (!s)
      return s;
  }
  return tx->Commit();
}

Result<std::vector<UpstreamEvent>> SqliteVerdictStore::ListEvents() {
  auto stmt = db_.Prepare(
      "SELECT at, product_id, outcome, request_id FROM events ORDER BY id");
  if (!stmt)
    return tl::unexpected(stmt.error());
  std::vector<UpstreamEvent> events;
  auto read = stmt->ForEachRow([&events](const sqlite::Statement& row) {
    events.push_back({row.ColumnInt(0), row.ColumnText(1), row.ColumnText(2),
                      row.ColumnText(3)});
  });
  if (!read)
    return tl::unexpected(read.error());
  return events;
}

}  // namespace gg::store
