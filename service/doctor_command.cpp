// gg-agent doctor: runs the checks of doctor.h and prints them.
#include <nlohmann/json.hpp>

#include "platform/log.h"
#include "platform/private_file.h"
#include "service/commands.h"
#include "service/doctor.h"
#include "service/proxy_env.h"

namespace gg::service {
namespace {

// Reads a secret file whatever its mode, so the other checks can run on a
// config the agent would refuse; the secret-files check reports the mode.
Result<std::string> ReadSecretAnyMode(const std::filesystem::path& file) {
  auto text = ReadFile(file);
  if (!text)
    return text;
  if (text->ends_with("\r\n"))
    text->resize(text->size() - 2);
  else if (text->ends_with("\n"))
    text->pop_back();
  return text;
}

}  // namespace

const char* LevelText(CheckLevel level) {
  switch (level) {
    case CheckLevel::kOk:
      return "ok";
    case CheckLevel::kWarn:
      return "warn";
    case CheckLevel::kFail:
      return "FAIL";
    case CheckLevel::kSkip:
      return "skip";
  }
  return "?";
}

bool AnyFailed(const std::vector<Check>& checks) {
  for (const auto& c : checks)
    if (c.level == CheckLevel::kFail)
      return true;
  return false;
}

std::string FormatChecks(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    std::string line = LevelText(c.level);
    line.resize(6, ' ');
    std::string name = c.name;
    if (name.size() < 14)
      name.resize(14, ' ');
    line += name + " " + c.message;
    if (!c.fix.empty())
      line += "; fix: " + c.fix;
    // One line per check, whatever a message from a library held.
    for (char& ch : line)
      if (ch == '\n' || ch == '\r')
        ch = ' ';
    out += log::Redact(line) + "\n";
  }
  return out;
}

std::string FormatChecksJson(const std::vector<Check>& checks) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& c : checks) {
    std::string status = LevelText(c.level);
    if (status == "FAIL")
      status = "fail";
    rows.push_back(
        {{"name", c.name},
         {"status", status},
         {"message", log::Redact(c.message)},
         {"fix", c.fix.empty() ? nlohmann::ordered_json(nullptr)
                               : nlohmann::ordered_json(log::Redact(c.fix))}});
  }
  nlohmann::ordered_json doc = {{"ok", !AnyFailed(checks)}, {"checks", rows}};
  return doc.dump(2, ' ', false,
                  nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

int DoctorCommand(const DoctorOptions& options,
                  std::ostream& out,
                  std::ostream& err) {
  // Libraries log at warning and above to stderr; the report is stdout.
  log::Init(spdlog::level::warn, log::Format::kText, &err);
  for (const auto& secret : ProxyCredentialsFromEnv(ProcessEnv()))
    log::RegisterSecret(secret);
  std::vector<Check> checks;
  const auto& path = options.config_path;
  auto config = config::LoadConfigFile(path);
  if (config) {
    checks.push_back(
        {"config", CheckLevel::kOk, path.string() + " is valid", ""});
  } else {
    std::string problems = config.error().message;
    for (char& ch : problems)
      if (ch == '\n')
        ch = ';';
    checks.push_back({"config", CheckLevel::kFail,
                      path.string() + ": " + problems,
                      "fix the named fields; gg-agent check-config --config " +
                          path.string() + " shows the effective values"});
    config::ConfigEnv lenient = config::DefaultConfigEnv();
    lenient.read_secret_file = ReadSecretAnyMode;
    config = config::LoadConfigFile(path, lenient);
  }
  if (config) {
    CheckSecretFiles(*config, path, checks);
    CheckState(*config, checks);
    CheckSocket(*config, checks);
    CheckHardware(*config, checks);
    CheckNetwork(*config, checks);
  }
  out << (options.json ? FormatChecksJson(checks) : FormatChecks(checks));
  out.flush();
  return AnyFailed(checks) ? kExitFailure : kExitOk;
}

}  // namespace gg::service
