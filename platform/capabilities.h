// The one privilege the agent may start with, and how it gives it up.
//
// Linux: the shipped unit starts `gg-agent run` as the unprivileged
// `gg-agent` user with CAP_DAC_READ_SEARCH as its only (ambient)
// capability, because a few hardware parts (/sys/class/dmi/id/*_serial,
// product_uuid, SCSI VPD pages) are readable by root only. The agent
//  1. lowers its effective set at once (LowerCapabilities), so the config,
//     its secrets, the state and the socket are opened with the user's own
//     rights, as they will be on every reload;
//  2. raises CAP_DAC_READ_SEARCH only around reading the hardware parts
//     (WithReadAnyFile);
//  3. then drops every capability for good (DropAllCapabilities: permitted,
//     inheritable and ambient emptied, no_new_privs set), before it talks to
//     anyone.
// A process whose effective uid is 0 (run by hand as root) is left as it is:
// root without capabilities is a half-state nothing here is tested under.
// Windows and macOS have no such capabilities: every call is a no-op.
// Raw capget/capset system calls: no libcap.
#ifndef GG_PLATFORM_CAPABILITIES_H_
#define GG_PLATFORM_CAPABILITIES_H_

#include <functional>

#include "platform/result.h"

namespace gg {

// Empties the effective set, keeps the permitted one. Error (code "CAPS")
// when the kernel refuses.
[[nodiscard]] Status LowerCapabilities();

// Runs `read` with CAP_DAC_READ_SEARCH effective when it is permitted, and
// lowers it again whatever `read` does; true when it was raised. Error only
// when the capability could not be lowered again (the caller must stop).
[[nodiscard]] Result<bool> WithReadAnyFile(const std::function<void()>& read);

// Drops every capability and forbids gaining any (no_new_privs); checks the
// result. Error (code "CAPS") when any capability is left: the agent must
// not go on.
[[nodiscard]] Status DropAllCapabilities();

// True when this process holds any permitted or ambient capability (false
// on OSes without capabilities). For tests and `doctor`-like checks.
bool HoldsAnyCapability();

}  // namespace gg

#endif  // GG_PLATFORM_CAPABILITIES_H_
