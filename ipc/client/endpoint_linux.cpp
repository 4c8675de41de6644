// The default endpoint on Linux: GG_AGENT_SOCKET, else the system socket.
// No per-user or temp-dir fallback (issue 16 point 5): a user-mode agent is
// reached through GG_AGENT_SOCKET or an explicit path.
#include <cstdlib>
#include <string>

#include "ipc/client/transport.h"

namespace gg::client_internal {

std::string DefaultEndpoint() {
  // Client code may read the environment (it is not agent/ code).
  if (const char* env = std::getenv("GG_AGENT_SOCKET"); env && *env) {
    return env;
  }
  return "/run/gg-agent/agent.sock";
}

}  // namespace gg::client_internal
