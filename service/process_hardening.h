// Keeps the agent's memory (API key, signing secret, license keys) out of
// core dumps and away from debuggers of the same account.
//
// Linux: PR_SET_DUMPABLE 0 (no core file, /proc/PID/mem and /proc/PID/environ
// closed to other processes of the same user, no ptrace attach without
// CAP_SYS_PTRACE) and RLIMIT_CORE 0. macOS: RLIMIT_CORE 0. Windows: nothing
// to do here (the service's dumps are Windows Error Reporting's, which only
// administrators read).
#ifndef GG_SERVICE_PROCESS_HARDENING_H_
#define GG_SERVICE_PROCESS_HARDENING_H_

#include "platform/result.h"

namespace gg::service {

// Called first thing in main, before any secret is read. Error when the OS
// refused (the caller logs it and goes on: the unit's LimitCORE=0 still
// holds).
[[nodiscard]] Status HardenProcess();

}  // namespace gg::service

#endif  // GG_SERVICE_PROCESS_HARDENING_H_
