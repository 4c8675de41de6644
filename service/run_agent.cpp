#include "service/run_agent.h"

#include <spdlog/spdlog.h>

#include "agent/config/config.h"
#include "platform/capabilities.h"
#include "platform/log.h"
#include "service/agent_runtime.h"
#include "service/commands.h"
#include "service/os_config.h"
#include "service/proxy_env.h"

namespace gg::service {

int RunAgent(const RunOptions& options, ServiceHost& host) {
  // Until the config says otherwise: info, text, to the chosen stream.
  log::Init(spdlog::level::info, log::Format::kText, options.log_out);
  // The start capability (Linux: CAP_DAC_READ_SEARCH) is for the hardware
  // parts only: the config and its secrets are read with the user's rights,
  // as on every reload.
  if (auto lowered = LowerCapabilities(); !lowered) {
    spdlog::error("capabilities: {}", lowered.error().message);
    return kExitFailure;
  }
  auto config = config::LoadConfigFile(options.config_path);
  if (!config) {
    spdlog::error("{}: invalid configuration: {}", options.config_path.string(),
                  config.error().message);
    return kExitUsage;
  }
  if (auto supported = CheckConfigForThisOs(*config); !supported) {
    spdlog::error("{}: invalid configuration: {}", options.config_path.string(),
                  supported.error().message);
    return kExitUsage;
  }
  log::Init(config->log.level, config->log.format, options.log_out);
  // libcurl reads these itself; their passwords must never reach a log.
  for (const auto& secret : ProxyCredentialsFromEnv(ProcessEnv()))
    log::RegisterSecret(secret);
  AgentRuntime runtime(options, std::move(*config), host);
  if (auto failed = runtime.Start())
    return *failed;
  return runtime.Run();
}

}  // namespace gg::service
