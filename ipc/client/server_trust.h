// Which named-pipe server libggclient believes on Windows: a pure rule over
// account SIDs (strings), so it is tested on every OS. The transport
// (transport_windows.cpp) reads the SIDs from the server's token.
#ifndef GG_IPC_CLIENT_SERVER_TRUST_H_
#define GG_IPC_CLIENT_SERVER_TRUST_H_

#include <string_view>

namespace gg::client_internal {

// NT AUTHORITY\SYSTEM, the account `gg-agent install` registers.
inline constexpr std::string_view kLocalSystemSid = "S-1-5-18";
// NT SERVICE\gg-agent: S-1-5-80- and the SHA-1 of the upper-cased service
// name in UTF-16LE as five little-endian words (how Windows derives service
// SIDs), for an agent run under its virtual service account.
inline constexpr std::string_view kAgentServiceSid =
    "S-1-5-80-3136110347-2510659071-3001094705-3510648559-1769018988";

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
