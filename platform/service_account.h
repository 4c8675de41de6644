// The Windows account the agent's service runs as: the virtual service
// account NT SERVICE\gg-agent. Its SID is derived from the service name
// alone (S-1-5-80- and the SHA-1 of the upper-cased name in UTF-16LE as
// five little-endian words), so every machine has the same one and the
// client library, the pipe and the state folder's ACL can name it without
// a look-up. Plain strings: used (and tested) on every OS.
#ifndef GG_PLATFORM_SERVICE_ACCOUNT_H_
#define GG_PLATFORM_SERVICE_ACCOUNT_H_

namespace gg {

inline constexpr const char kAgentServiceAccount[] = "NT SERVICE\\gg-agent";
inline constexpr const char kAgentServiceSid[] =
    "S-1-5-80-3136110347-2510659071-3001094705-3510648559-1769018988";

}  // namespace gg

#endif  // GG_PLATFORM_SERVICE_ACCOUNT_H_
