// The gg-agent subcommands (spec/agent.md §1), shared by both mains.
//
// Each returns the process exit code: 0 ok, 1 runtime failure, 2 bad usage
// or bad configuration. Output for people goes to `out`, errors to `err`.
#ifndef GG_SERVICE_COMMANDS_H_
#define GG_SERVICE_COMMANDS_H_

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace gg::service {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

inline constexpr const char* kAgentVersion = "0.1.0";

int VersionCommand(std::ostream& out);

int CheckConfigCommand(const std::filesystem::path& config_path,
                       std::ostream& out,
                       std::ostream& err);

struct HwidCommandOptions {
  std::optional<std::filesystem::path> config_path;
  bool components = false;
  bool json = false;
  std::optional<std::string> product_id;
};
int HwidCommand(const HwidCommandOptions& options,
                std::ostream& out,
                std::ostream& err);

// Linux/macOS: prints where the unit files are and what to run.
// Windows: registers or removes the service with the SCM.
int InstallCommand(std::ostream& out, std::ostream& err);
int UninstallCommand(std::ostream& out, std::ostream& err);

}  // namespace gg::service

#endif  // GG_SERVICE_COMMANDS_H_
