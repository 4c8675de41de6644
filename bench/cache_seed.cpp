#include "bench/cache_seed.h"

#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/random.h"
#include "platform/signing.h"
#include "platform/time_format.h"
#include "tests/devserver/harness.h"

namespace gg::bench {
namespace {

Result<std::string> DemoSeed() {
  std::ifstream in(devserver::DemoFixturesPath());
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object() || !j.contains("responseSigningKeySeed"))
    return MakeError(ErrorCode::kHarness,
                     "demo fixtures have no responseSigningKeySeed");
  return crypto::Base64Decode(j["responseSigningKeySeed"].get<std::string>());
}

Error SqlError(sqlite3* db, const std::string& what) {
  return Error{ErrorCode::kStore, what + ": " + sqlite3_errmsg(db)};
}

// Closes the handle on every path.
struct DbCloser {
  sqlite3* db = nullptr;
  ~DbCloser() { sqlite3_close(db); }
};
struct StmtFinalizer {
  sqlite3_stmt* stmt = nullptr;
  ~StmtFinalizer() { sqlite3_finalize(stmt); }
};

}  // namespace

Status SeedVerdicts(const SeedOptions& o) {
  auto seed = DemoSeed();
  if (!seed)
    return tl::unexpected(seed.error());
  DbCloser db;
  if (sqlite3_open_v2(o.database.c_str(), &db.db, SQLITE_OPEN_READWRITE,
                      nullptr) != SQLITE_OK)
    return tl::unexpected(SqlError(db.db, "open " + o.database.string()));
  if (sqlite3_exec(db.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) !=
      SQLITE_OK)
    return tl::unexpected(SqlError(db.db, "begin"));
  StmtFinalizer insert;
  if (sqlite3_prepare_v2(
          db.db,
          "INSERT OR REPLACE INTO verdicts (product_id, license_key,"
          " request_nonce, request_body, status, response_timestamp,"
          " response_signature, response_body, received_at)"
          " VALUES (?1, ?2, ?3, ?4, 200, ?5, ?6, ?7, ?8)",
          -1, &insert.stmt, nullptr) != SQLITE_OK)
    return tl::unexpected(SqlError(db.db, "prepare"));

  const std::string ts = std::to_string(o.now_unix);
  const std::string server_time = FormatRfc3339(FromUnixSeconds(o.now_unix));
  for (int i = 0; i < o.count; ++i) {
    char suffix[16];
    std::snprintf(suffix, sizeof(suffix), "%05d", i);
    const std::string key = o.key_prefix + suffix;
    auto nonce = RandomHex(16);
    auto instance = RandomHex(16);
    if (!nonce || !instance)
      return MakeError(ErrorCode::kHarness, "no randomness");
    nlohmann::json request = {{"productId", o.product_id},
                              {"licenseKey", key},
                              {"hwid", o.hwid},
                              {"sessions", 1},
                              {"instanceId", *instance},
                              {"agentVersion", "0.1.0"}};
    nlohmann::json response = {{"ok", true},
                               {"allow", true},
                               {"licenseId", "00000000-0000-4000-8000-" +
                                                 std::string(7, '0') + suffix},
                               {"productId", o.product_id},
                               {"effectiveExpiresAt", nullptr},
                               {"serverTime", server_time},
                               {"policy",
                                {{"maxConcurrentSessions", 100},
                                 {"offlineGraceSeconds", 259200},
                                 {"heartbeatSeconds", 3600}}}};
    const std::string req_body = request.dump();
    const std::string resp_body = response.dump();
    auto sig =
        signing::SignResponse(*seed, *nonce, req_body, 200, ts, resp_body);
    if (!sig)
      return tl::unexpected(sig.error());
    const std::string* texts[] = {&o.product_id, &key,  &*nonce,   &req_body,
                                  &ts,           &*sig, &resp_body};
    for (int b = 0; b < 7; ++b) {
      if (sqlite3_bind_text(insert.stmt, b + 1, texts[b]->data(),
                            static_cast<int>(texts[b]->size()),
                            SQLITE_TRANSIENT) != SQLITE_OK)
        return tl::unexpected(SqlError(db.db, "bind"));
    }
    if (sqlite3_bind_int64(insert.stmt, 8, o.now_unix) != SQLITE_OK)
      return tl::unexpected(SqlError(db.db, "bind"));
    if (sqlite3_step(insert.stmt) != SQLITE_DONE)
      return tl::unexpected(SqlError(db.db, "insert"));
    if (sqlite3_reset(insert.stmt) != SQLITE_OK)
      return tl::unexpected(SqlError(db.db, "reset"));
  }
  if (sqlite3_exec(db.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return tl::unexpected(SqlError(db.db, "commit"));
  return Ok();
}

}  // namespace gg::bench
