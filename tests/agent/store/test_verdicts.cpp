#include "test_verdicts.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "agent/upstream/request.h"
#include "platform/crypto.h"
#include "platform/random.h"
#include "platform/signing.h"

namespace gg::store::testing {

std::string TestSeed() {
  return std::string(32, '\x42');
}

std::string TestPublicKey() {
  return *crypto::Ed25519PublicKey(TestSeed());
}

StoredVerdict MakeVerdict(const std::string& product,
                          const std::string& license,
                          bool allow,
                          const std::string& expires) {
  StoredVerdict v;
  v.key = {product, license};
  v.received_at = 1795000000;
  auto& m = v.material;
  m.request_nonce = *RandomHex(16);
  m.request_body = *upstream::AuthorizeBody(
      {product, license, "a1b2", 1, std::string(32, '0')});
  m.status = allow ? 200 : 403;
  m.response_timestamp = "1795000000";
  if (allow)
    m.response_body = nlohmann::json{{"ok", true},
                                     {"allow", true},
                                     {"licenseId", "5f0c1e2a"},
                                     {"productId", product},
                                     {"effectiveExpiresAt", expires},
                                     {"serverTime", "2026-11-22T06:00:00Z"},
                                     {"policy", {{"maxConcurrentSessions", 3}}}}
                          .dump();
  else
    m.response_body = R"({"ok":false,"allow":false,"reasonCode":)"
                      R"("HWID_MISMATCH","message":"bound elsewhere"})";
  m.response_signature =
      *signing::SignResponse(TestSeed(), m.request_nonce, m.request_body,
                             m.status, m.response_timestamp, m.response_body);
  return v;
}

namespace {

sqlite3* RawOpen(const std::filesystem::path& db) {
  sqlite3* h = nullptr;
  EXPECT_EQ(
      sqlite3_open_v2(db.string().c_str(), &h, SQLITE_OPEN_READWRITE, nullptr),
      SQLITE_OK);
  return h;
}

}  // namespace

void RawExec(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = RawOpen(db);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "") << " in " << sql;
  sqlite3_free(err);
  EXPECT_EQ(sqlite3_close(h), SQLITE_OK);
}

std::string RawText(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = RawOpen(db);
  sqlite3_stmt* st = nullptr;
  std::string out;
  EXPECT_EQ(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
      << sql;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr)
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  EXPECT_EQ(sqlite3_close(h), SQLITE_OK);
  return out;
}

long long RawInt(const std::filesystem::path& db, const std::string& sql) {
  return std::stoll(RawText(db, sql));
}

void StoreTest::SetUp() {
  root_ =
      std::filesystem::temp_directory_path() / ("gg-store-" + *RandomHex(6));
  state_ = root_ / "state";
}

void StoreTest::TearDown() {
  std::filesystem::remove_all(root_);
}

StoreOptions StoreTest::Options() const {
  StoreOptions o;
  o.state_dir = state_;
  o.response_public_keys = {TestPublicKey()};
  return o;
}

std::unique_ptr<SqliteVerdictStore> StoreTest::OpenStore() {
  auto store = SqliteVerdictStore::Open(Options());
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

}  // namespace gg::store::testing
