// `gg-agent doctor --config FILE [--json]`: the first thing an admin runs.
// One line per check, `ok` / `warn` / `FAIL` (or `skip` when an earlier
// failure makes a check meaningless) with what to do; exit 0 when nothing
// failed, 1 otherwise, 2 for bad usage.
//
// The checks, in order: config, secret files, state directory, database,
// socket (path, mode, group, who may connect, whether an agent answers),
// hardware parts, proxy, DNS, TCP, TLS (with the configured CA, pins and
// proxy, through the agent's own libcurl settings), API key (GET
// /v1/whoami), clock (the server's Date), signing secret and response keys
// (one signed authorize for a license that does not exist; costs one call
// of the rate-limit budget, changes nothing on the server).
//
// Nothing here writes: the database is opened read-only, nothing is
// enrolled. Every line goes through log::Redact, so no secret is printed.
#ifndef GG_SERVICE_DOCTOR_H_
#define GG_SERVICE_DOCTOR_H_

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "agent/config/config.h"

namespace gg::service {

enum class CheckLevel { kOk, kWarn, kFail, kSkip };

struct Check {
  std::string name;  // "config", "secret-files", "state-dir", ...
  CheckLevel level = CheckLevel::kOk;
  std::string message;
  std::string fix;  // empty when there is nothing to do
};

// "ok", "warn", "FAIL", "skip".
const char* LevelText(CheckLevel level);

// One line per check: "<level> <name> <message>[; fix: <fix>]".
std::string FormatChecks(const std::vector<Check>& checks);
// {"ok":bool,"checks":[{"name","status":"ok|warn|fail|skip","message","fix"}]}
std::string FormatChecksJson(const std::vector<Check>& checks);
bool AnyFailed(const std::vector<Check>& checks);

// The checks of the machine, without the network (doctor_local.cpp).
void CheckSecretFiles(const config::Config& config,
                      const std::filesystem::path& config_path,
                      std::vector<Check>& out);
void CheckState(const config::Config& config, std::vector<Check>& out);
void CheckHardware(const config::Config& config, std::vector<Check>& out);
// doctor_socket_*.cpp, with PingAgent (doctor_ping.cpp): "answers ping"
// or why not; *answered true only for an ok answer.
void CheckSocket(const config::Config& config, std::vector<Check>& out);
std::string PingAgent(const std::string& path, bool* answered);
// The network and the API (doctor_network.cpp).
void CheckNetwork(const config::Config& config, std::vector<Check>& out);

struct DoctorOptions {
  std::filesystem::path config_path;
  bool json = false;
};
int DoctorCommand(const DoctorOptions& options,
                  std::ostream& out,
                  std::ostream& err);

}  // namespace gg::service

#endif  // GG_SERVICE_DOCTOR_H_
