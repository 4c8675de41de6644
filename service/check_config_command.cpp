#include "agent/config/config.h"
#include "service/commands.h"
#include "service/os_config.h"

namespace gg::service {

int CheckConfigCommand(const std::filesystem::path& config_path,
                       std::ostream& out,
                       std::ostream& err) {
  auto config = config::LoadConfigFile(config_path);
  if (!config) {
    err << "gg-agent: " << config_path.string() << ": invalid configuration\n"
        << config.error().message << "\n";
    return kExitUsage;
  }
  if (auto supported = CheckConfigForThisOs(*config); !supported) {
    err << "gg-agent: " << config_path.string() << ": invalid configuration\n"
        << supported.error().message << "\n";
    return kExitUsage;
  }
  out << config::FormatEffectiveConfig(*config) << "\n";
  return kExitOk;
}

}  // namespace gg::service
