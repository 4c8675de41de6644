// The gg-agent command line (spec/agent.md §1), shared by the POSIX and the
// Windows main: each passes only what differs, how `run` runs and where the
// config is when neither --config nor GG_AGENT_CONFIG names it.
#ifndef GG_SERVICE_CLI_H_
#define GG_SERVICE_CLI_H_

#include <filesystem>
#include <functional>
#include <optional>

namespace gg::service {

struct CliHooks {
  // Runs the agent with this config file; returns the exit code.
  std::function<int(const std::filesystem::path&)> run;
  // The config file when none is named; nullopt makes --config required.
  std::optional<std::filesystem::path> default_config;
};

// Parses argv, runs one subcommand, returns the process exit code.
int AgentMain(int argc, char** argv, const CliHooks& hooks);

}  // namespace gg::service

#endif  // GG_SERVICE_CLI_H_
