// Which named-pipe server libggclient believes on Windows: a pure rule over
// account SIDs (strings), so it is tested on every OS. The transport
// (transport_windows.cpp) reads the SIDs from the server's token.
#ifndef GG_IPC_CLIENT_SERVER_TRUST_H_
#define GG_IPC_CLIENT_SERVER_TRUST_H_

#include <string_view>

#include "platform/service_account.h"

namespace gg::client_internal {

// NT AUTHORITY\SYSTEM: an older install, or an agent started by SYSTEM.
inline constexpr std::string_view kLocalSystemSid = "S-1-5-18";
// NT SERVICE\gg-agent, the account `gg-agent install` registers
// (platform/service_account.h).
inline constexpr std::string_view kAgentServiceSid = gg::kAgentServiceSid;

// True when answers from a server running as `server_sid` may be believed
// by a client running as `client_sid`: LocalSystem, the agent's service
// SID, or the client's own account (a process of the same account can
// already change the client's memory, so it gains nothing by answering;
// this is also how a per-user agent and wine, where every process is one
// account, work). Any other account, or an empty SID, is refused: that is
// another local user squatting on the pipe name.
bool TrustedServerAccount(std::string_view server_sid,
                          std::string_view client_sid);

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_SERVER_TRUST_H_
