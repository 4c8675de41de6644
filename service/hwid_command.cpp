// `gg-agent hwid`: the same answer `run` would compute, from the stored
// enrollment when a config names a state directory, without writing it.
#include "agent/config/config.h"
#include "agent/store/sqlite_verdict_store.h"
#include "hwid/collector.h"
#include "hwid/enrollment.h"
#include "hwid/report.h"
#include "service/commands.h"

namespace gg::service {
namespace {

// The stored enrollment, if the state directory has a readable database.
// A missing database is not an error: nothing is enrolled yet. One this
// user may not read sets `unreadable`: the report then claims nothing.
std::optional<hwid::Enrollment> StoredEnrollment(const config::Config& config,
                                                 std::ostream& err,
                                                 bool& unreadable) {
  const auto db = config.state.dir / store::kDatabaseFileName;
  std::error_code ec;
  const bool exists = std::filesystem::exists(db, ec);
  if (ec) {
    unreadable = true;
    err << "gg-agent: cannot read the stored hardware parts in "
        << config.state.dir.string() << ": " << ec.message()
        << " (run as the agent's user or root)\n";
    return std::nullopt;
  }
  if (!exists)
    return std::nullopt;
  auto store = store::SqliteVerdictStore::Open(
      {config.state.dir, config.server.response_public_keys});
  if (!store) {
    unreadable = true;
    err << "gg-agent: cannot read the stored hardware parts in "
        << config.state.dir.string() << ": " << store.error().message
        << " (run as the agent's user or root)\n";
    return std::nullopt;
  }
  auto json = (*store)->GetState(std::string(hwid::kEnrollmentStateKey));
  if (!json || !json->has_value())
    return std::nullopt;
  auto enrollment = hwid::EnrollmentFromJson(**json);
  if (!enrollment) {
    err << "gg-agent: the stored hardware parts are unreadable ("
        << enrollment.error().message << "); showing a fresh enrollment\n";
    return std::nullopt;
  }
  return *enrollment;
}

}  // namespace

int HwidCommand(const HwidCommandOptions& options,
                std::ostream& out,
                std::ostream& err) {
  hwid::CollectOptions collect;
  hwid::ReportOptions report;
  report.components = options.components;
  report.json = options.json;
  std::optional<hwid::Enrollment> enrolled;
  if (options.config_path) {
    auto config = config::LoadConfigFile(*options.config_path);
    if (!config) {
      err << "gg-agent: " << options.config_path->string()
          << ": invalid configuration\n"
          << config.error().message << "\n";
      return kExitUsage;
    }
    collect.root = config->hwid.root;
    report.threshold = config->hwid.match_threshold;
    enrolled = StoredEnrollment(*config, err, report.enrollment_unreadable);
  }
  auto text = hwid::FormatHwidReport(hwid::CollectParts(collect), enrolled,
                                     options.product_id.value_or(""), report);
  if (!text) {
    err << "gg-agent: " << text.error().message << "\n";
    return kExitFailure;
  }
  out << *text;
  return kExitOk;
}

}  // namespace gg::service
