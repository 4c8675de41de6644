// gg-agent on Linux and macOS: parse the command line, hand over to the
// commands. `run` reads the service manager's environment here (getenv is
// allowed only in service/).
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "service/commands.h"
#include "service/posix_run.h"

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
  auto* run = app.add_subcommand("run", "Run the agent in the foreground");
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

  auto* install = app.add_subcommand("install", "Register the service");
  auto* uninstall = app.add_subcommand("uninstall", "Remove the service");
  auto* version = app.add_subcommand("version", "Print versions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  auto config_path = [&]() -> std::optional<std::filesystem::path> {
    if (!config.empty())
      return std::filesystem::path(config);
    return ConfigFromEnv();
  };

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
  auto path = config_path();
  if (!path) {
    std::cerr << "gg-agent: --config FILE (or GG_AGENT_CONFIG) is required\n";
    return kExitUsage;
  }
  if (*check)
    return CheckConfigCommand(*path, std::cout, std::cerr);
  return RunFromPosixMain(*path);
}
