// The doctor's checks of this machine: secret files, state directory and
// database, hardware parts. Read-only.
#include <sqlite3.h>

#include <memory>
#include <system_error>

#include "agent/store/schema.h"
#include "hwid/collector.h"
#include "platform/private_file.h"
#include "service/doctor.h"
#include "service/file_owner.h"

namespace gg::service {
namespace {

namespace fs = std::filesystem;

std::string Octal(fs::perms p) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(p) & 0777u);
  return buf;
}

std::string HumanSize(std::uintmax_t bytes) {
  char buf[32];
  if (bytes >= 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MiB",
                  static_cast<double>(bytes) / (1024.0 * 1024.0));
  else if (bytes >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB",
                  static_cast<double>(bytes) / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%ju bytes", bytes);
  return buf;
}

// The account the service runs as, as the state directory says (the agent
// makes it its own); empty when it cannot tell.
std::string ServiceAccount(const config::Config& config) {
  auto owner = FileOwner(config.state.dir);
  return owner ? owner->name : std::string();
}

void CheckOneSecretFile(const std::string& field,
                        const fs::path& file,
                        const std::string& account,
                        std::vector<Check>& out) {
  const std::string name = "secret-files";
  std::error_code ec;
  auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) {
    out.push_back(
        {name, CheckLevel::kFail,
         field + " " + file.string() + " does not exist",
         "create it: install -m 0600 -o " +
             (account.empty() ? std::string("<service user>") : account) +
             " /dev/null " + file.string() + ", then write the value"});
    return;
  }
  auto owner_only = IsOwnerOnly(file);
  auto owner = FileOwner(file);
  const std::string who = owner ? owner->name : std::string("?");
  if (!owner_only || !*owner_only) {
    out.push_back({name, CheckLevel::kFail,
                   field + " " + file.string() + " is mode " +
                       Octal(status.permissions()) +
                       ": group or others can read the secret (the agent "
                       "refuses to start)",
                   "chmod 600 " + file.string()});
    return;
  }
  if (!account.empty() && owner && owner->name != account) {
    out.push_back({name, CheckLevel::kWarn,
                   field + " " + file.string() + " is owned by " + who +
                       ", but the service runs as " + account +
                       " (the state directory's owner) and cannot read it",
                   "chown " + account + " " + file.string()});
    return;
  }
  out.push_back({name, CheckLevel::kOk,
                 field + " " + file.string() + " is private (" +
                     Octal(status.permissions()) + ", owner " + who + ")",
                 ""});
}

}  // namespace

void CheckSecretFiles(const config::Config& config,
                      const fs::path& config_path,
                      std::vector<Check>& out) {
  const std::string account = ServiceAccount(config);
  if (config.server.api_key_file)
    CheckOneSecretFile("server.apiKeyFile", *config.server.api_key_file,
                       account, out);
  if (config.server.signing_secret_file)
    CheckOneSecretFile("server.signingSecretFile",
                       *config.server.signing_secret_file, account, out);
  if (!config.server.api_key_file || !config.server.signing_secret_file) {
    auto owner_only = IsOwnerOnly(config_path);
    if (owner_only && !*owner_only)
      out.push_back({"secret-files", CheckLevel::kWarn,
                     config_path.string() +
                         " holds a secret inline and group or others can "
                         "read it",
                     "move it to apiKeyFile/signingSecretFile, or chmod 600 " +
                         config_path.string()});
    else
      out.push_back({"secret-files", CheckLevel::kOk,
                     "inline secrets in " + config_path.string() +
                         ", which only its owner can read",
                     ""});
  }
}

void CheckState(const config::Config& config, std::vector<Check>& out) {
  const fs::path& dir = config.state.dir;
  std::error_code ec;
  auto status = fs::status(dir, ec);
  if (ec || !fs::is_directory(status)) {
    out.push_back({"state-dir", CheckLevel::kWarn,
                   dir.string() + " does not exist yet (the agent makes it at "
                                  "its first start)",
                   ""});
    out.push_back({"database", CheckLevel::kSkip, "no state directory", ""});
    return;
  }
  auto owner = FileOwner(dir);
  const std::string mode = Octal(status.permissions());
  if ((static_cast<unsigned>(status.permissions()) & 0077u) != 0)
    out.push_back({"state-dir", CheckLevel::kFail,
                   dir.string() + " is mode " + mode +
                       ": others can read the cache and the enrollment",
                   "chmod 700 " + dir.string()});
  else
    out.push_back({"state-dir", CheckLevel::kOk,
                   dir.string() + " (" + mode + ", owner " +
                       (owner ? owner->name : std::string("?")) + ")",
                   ""});

  const fs::path db_path = dir / "cache.db";
  if (!fs::exists(db_path, ec)) {
    out.push_back({"database", CheckLevel::kWarn,
                   db_path.string() + " does not exist yet (made at the "
                                      "agent's first start)",
                   ""});
    return;
  }
  std::uintmax_t size = fs::file_size(db_path, ec);
  if (ec)
    size = 0;
  if (auto wal = fs::file_size(fs::path(db_path.string() + "-wal"), ec); !ec)
    size += wal;
  sqlite3* raw = nullptr;
  // Read-only and without creating anything: a running agent is not
  // disturbed, a missing file is not made.
  int rc = sqlite3_open_v2(db_path.string().c_str(), &raw, SQLITE_OPEN_READONLY,
                           nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) {
    out.push_back({"database", CheckLevel::kFail,
                   db_path.string() + " cannot be opened: " +
                       (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)),
                   "run doctor as root or as the service user; a damaged "
                   "file is moved aside by the agent at its next start"});
    return;
  }
  sqlite3_busy_timeout(db.get(), 2000);
  auto scalar = [&db](const char* sql, std::string* text) -> int {
    sqlite3_stmt* stmt = nullptr;
    int r = sqlite3_prepare_v2(db.get(), sql, -1, &stmt, nullptr);
    if (r == SQLITE_OK) {
      r = sqlite3_step(stmt);
      if (r == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(stmt, 0);
        *text = t ? reinterpret_cast<const char*>(t) : "";
        r = SQLITE_OK;
      }
    }
    sqlite3_finalize(stmt);
    return r;
  };
  std::string check, version, verdicts;
  if (int r = scalar("PRAGMA quick_check", &check); r != SQLITE_OK) {
    out.push_back(
        {"database", CheckLevel::kFail,
         db_path.string() + ": quick_check failed: " + sqlite3_errmsg(db.get()),
         "stop the agent and move the file aside; it starts with "
         "an empty cache"});
    return;
  }
  if (check != "ok") {
    out.push_back(
        {"database", CheckLevel::kFail,
         db_path.string() + " is damaged (quick_check: " + check + ")",
         "the agent moves it aside (cache.db.corrupt-<time>) at its "
         "next start: systemctl restart gg-agent"});
    return;
  }
  if (scalar("PRAGMA user_version", &version) != SQLITE_OK)
    version = "?";
  if (scalar("SELECT count(*) FROM verdicts", &verdicts) != SQLITE_OK)
    verdicts = "?";
  const std::string facts = "integrity ok, schema version " + version + ", " +
                            verdicts + " cached verdicts, " + HumanSize(size);
  if (version != std::to_string(store::kSchemaVersion)) {
    const bool newer = !version.empty() && version != "?" &&
                       std::atoi(version.c_str()) > store::kSchemaVersion;
    out.push_back({"database", newer ? CheckLevel::kFail : CheckLevel::kWarn,
                   db_path.string() + ": " + facts +
                       "; this agent's schema is " +
                       std::to_string(store::kSchemaVersion),
                   newer ? "a newer agent wrote it: install that version, or "
                           "remove the file (the cache starts empty)"
                         : "migrated forward at the agent's next start"});
    return;
  }
  out.push_back(
      {"database", CheckLevel::kOk, db_path.string() + ": " + facts, ""});
}

void CheckHardware(const config::Config& config, std::vector<Check>& out) {
  const hwid::Collection c = hwid::CollectParts({config.hwid.root});
  std::string kinds;
  bool core = false;
  for (const auto& part : c.parts) {
    if (kinds.find(hwid::KindName(part.kind)) == std::string::npos)
      kinds +=
          (kinds.empty() ? "" : ", ") + std::string(hwid::KindName(part.kind));
    core = core || hwid::IsCoreKind(part.kind);
  }
  std::string needs_root;
  for (const auto& s : c.skipped)
    if (s.reason == hwid::SkipReason::kNeedsRoot)
      needs_root += (needs_root.empty() ? "" : ", ") + s.source;
  if (c.parts.empty()) {
    out.push_back({"hardware", CheckLevel::kFail,
                   "no hardware part is readable (the agent refuses to start)",
                   needs_root.empty()
                       ? "check hwid.root and /etc/machine-id"
                       : "run as root (the service reads " + needs_root +
                             " with CAP_DAC_READ_SEARCH)"});
    return;
  }
  std::string message =
      std::to_string(c.parts.size()) + " parts readable (" + kinds + ")";
  if (!needs_root.empty()) {
    out.push_back({"hardware", CheckLevel::kWarn,
                   message + "; not readable without root: " + needs_root,
                   "run doctor as root to see what the service reads"});
    return;
  }
  if (!core) {
    out.push_back({"hardware", CheckLevel::kWarn,
                   message + "; no core part (firmware UUID, serials, "
                             "machine-id): the hardware ID rests on NICs and "
                             "disks alone",
                   "make sure /etc/machine-id exists"});
    return;
  }
  out.push_back({"hardware", CheckLevel::kOk, message, ""});
}

}  // namespace gg::service
