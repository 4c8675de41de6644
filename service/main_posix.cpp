// gg-agent on Linux and macOS.
#include "service/cli.h"
#include "service/posix_run.h"

int main(int argc, char** argv) {
  return gg::service::AgentMain(argc, argv,
                                {gg::service::RunFromPosixMain, std::nullopt});
}
