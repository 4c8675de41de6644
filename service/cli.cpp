#include "service/cli.h"

#include <cstdlib>
#include <iostream>
#include <string>

// GCC 12 reports a -Wnull-dereference inside libstdc++'s std::string as
// inlined into CLI11's option parsing: a false positive in library code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>

#include "service/commands.h"
#include "service/doctor.h"

namespace gg::service {
namespace {

std::optional<std::filesystem::path> ConfigFromEnv() {
  const char* env = std::getenv("GG_AGENT_CONFIG");
  if (env && *env)
    return std::filesystem::path(env);
  return std::nullopt;
}

}  // namespace

int AgentMain(int argc, char** argv, const CliHooks& hooks) {
  CLI::App app{"GeckoGuard Agent: the local license agent"};
  app.require_subcommand(1);

  std::string config;
  app.add_subcommand("run", "Run the agent in the foreground")
      ->add_option("--config", config, "Configuration file (JSON)");

  auto* check = app.add_subcommand("check-config",
                                   "Validate and print the effective config");
  check->add_option("--config", config, "Configuration file (JSON)");

  HwidCommandOptions hwid_options;
  std::string product;
  auto* hwid = app.add_subcommand("hwid", "Print this machine's hardware ID");
  hwid->add_option("--config", config, "Configuration file (JSON)");
  hwid->add_flag("--components", hwid_options.components,
                 "Show each hardware part");
  hwid->add_flag("--json", hwid_options.json, "Print JSON");
  hwid->add_option("--product", product, "Product ID (UUID)");

  DoctorOptions doctor_options;
  auto* doctor = app.add_subcommand(
      "doctor",
      "Check config, secret files, state, socket, hardware, network and API "
      "credentials; one line per check, exit 1 if any fails");
  doctor->add_option("--config", config, "Configuration file (JSON)");
  doctor->add_flag("--json", doctor_options.json, "Print JSON");

  auto* install = app.add_subcommand("install", "Register the service");
  auto* uninstall = app.add_subcommand("uninstall", "Remove the service");
  auto* version = app.add_subcommand("version", "Print versions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  std::optional<std::filesystem::path> config_path;
  if (!config.empty())
    config_path = config;
  else
    config_path = ConfigFromEnv();

  if (*version)
    return VersionCommand(std::cout);
  if (*install)
    return InstallCommand(std::cout, std::cerr);
  if (*uninstall)
    return UninstallCommand(std::cout, std::cerr);
  if (*hwid) {
    // Without a config, `hwid` reads this machine as it is: nothing stored.
    hwid_options.config_path = config_path;
    if (!product.empty())
      hwid_options.product_id = product;
    return HwidCommand(hwid_options, std::cout, std::cerr);
  }
  if (!config_path)
    config_path = hooks.default_config;
  if (!config_path) {
    std::cerr << "gg-agent: --config FILE (or GG_AGENT_CONFIG) is required\n";
    return kExitUsage;
  }
  if (*check)
    return CheckConfigCommand(*config_path, std::cout, std::cerr);
  if (*doctor) {
    doctor_options.config_path = *config_path;
    return DoctorCommand(doctor_options, std::cout, std::cerr);
  }
  return hooks.run(*config_path);
}

}  // namespace gg::service

#pragma GCC diagnostic pop
