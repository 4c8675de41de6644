// gg-agent on Windows: parse the command line, hand over to the commands.
// `run` goes through the service control manager when the SCM started us,
// else runs in the console (windows_service.h). The environment is read here
// (getenv is allowed only in service/).
#include "platform/paths.h"
#include "service/cli.h"
#include "service/process_hardening.h"
#include "service/windows_service.h"

int main(int argc, char** argv) {
  using namespace gg::service;
  (void)HardenProcess();  // nothing to do on Windows (process_hardening.h)
  // The service is registered with an explicit --config; by hand, the
  // system default under %ProgramData% is what an admin expects.
  return AgentMain(argc, argv,
                   {[](const std::filesystem::path& config) {
                      RunOptions options;
                      options.config_path = config;
                      return RunWindowsAgent(options);
                    },
                    gg::SystemPaths().config_file});
}
