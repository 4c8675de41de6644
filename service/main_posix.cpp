// gg-agent on Linux and macOS.
#include <spdlog/spdlog.h>

#include "service/cli.h"
#include "service/posix_run.h"
#include "service/process_hardening.h"

int main(int argc, char** argv) {
  // Before any secret is read: no core file or same-user reader may ever
  // see the API key or the signing secret.
  if (auto s = gg::service::HardenProcess(); !s)
    spdlog::warn("cannot harden the process: {}", s.error().message);
  return gg::service::AgentMain(argc, argv,
                                {gg::service::RunFromPosixMain, std::nullopt});
}
