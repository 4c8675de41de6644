// gg-agent on Windows: parse the command line, hand over to the commands.
// `run` goes through the service control manager when the SCM started us,
// else runs in the console (windows_service.h). The environment is read here
// (getenv is allowed only in service/).
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "platform/paths.h"
#include "service/commands.h"
#include "service/windows_service.h"

namespace {

std::optional<std::filesystem::path> ConfigFromEnv() {
  const char* env = std::getenv("GG_AGENT_CONFIG");
  if (env && *env)
    return std::filesystem::path(env);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gg::service;
  CLI::App app{"GeckoGuard Agent: the local license agent"};
  app.require_subcommand(1);

  std::string config;
  auto* run = app.add_subcommand("run", "Run the agent (service or console)");
  run->add_option("--config", config, "Configuration file (JSON)");

  auto* check = app.add_subcommand("check-config",
                                   "Validate and print the effective config");
  check->add_option("--config", config, "Configuration file (JSON)");

  HwidCommandOptions hwid_options;
  std::string hwid_config, product;
  auto* hwid = app.add_subcommand("hwid", "Print this machine's hardware ID");
  hwid->add_option("--config", hwid_config, "Configuration file (JSON)");
  hwid->add_flag("--components", hwid_options.components,
                 "Show each hardware part");
  hwid->add_flag("--json", hwid_options.json, "Print JSON");
  hwid->add_option("--product", product, "Product ID (UUID)");

  auto* install = app.add_subcommand("install", "Register the Windows service");
  auto* uninstall =
      app.add_subcommand("uninstall", "Remove the Windows service");
  auto* version = app.add_subcommand("version", "Print versions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  if (*version)
    return VersionCommand(std::cout);
  if (*install)
    return InstallCommand(std::cout, std::cerr);
  if (*uninstall)
    return UninstallCommand(std::cout, std::cerr);
  if (*hwid) {
    if (!hwid_config.empty())
      hwid_options.config_path = hwid_config;
    else
      hwid_options.config_path = ConfigFromEnv();
    if (!product.empty())
      hwid_options.product_id = product;
    return HwidCommand(hwid_options, std::cout, std::cerr);
  }
  // The service is registered with an explicit --config; by hand, the
  // system default under %ProgramData% is what an admin expects.
  std::filesystem::path path = gg::SystemPaths().config_file;
  if (!config.empty())
    path = config;
  else if (auto env = ConfigFromEnv())
    path = *env;
  if (*check)
    return CheckConfigCommand(path, std::cout, std::cerr);
  RunOptions options;
  options.config_path = path;
  return RunWindowsAgent(options);
}
