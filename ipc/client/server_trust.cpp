#include "ipc/client/server_trust.h"

namespace gg::client_internal {

bool TrustedServerAccount(std::string_view server_sid,
                          std::string_view client_sid) {
  if (server_sid.empty()) {
    return false;
  }
  return server_sid == kLocalSystemSid || server_sid == kAgentServiceSid ||
         server_sid == client_sid;
}

}  // namespace gg::client_internal
