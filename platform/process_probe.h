// ProcessProbe: has the process that opened a detached session exited?
//
// Watch(pid) takes a handle on the process while it is known to be alive
// (its socket connection is open); the handle then answers Exited() for
// that process only, even once the pid has been reused by another one.
//  - Linux: a pidfd (pidfd_open), which turns readable when the process
//    exits. It needs no /proc, so it works under the unit's
//    ProtectProc=invisible and for apps of other users, and no permission
//    on the target (seccomp @system-service allows pidfd_open and poll).
//    Where pidfd_open is missing (kernel < 5.3) or refused, the start time
//    from /proc/<pid>/stat (field 22) is read at Watch and compared later.
//  - Windows: a process handle (SYNCHRONIZE), signalled on exit; a handle
//    held keeps the pid from being reused.
//  - macOS: the start time from proc_pidinfo, compared later.
// MakeSystemProcessProbe() picks the per-OS file (process_probe_<os>.cpp).
#ifndef GG_PLATFORM_PROCESS_PROBE_H_
#define GG_PLATFORM_PROCESS_PROBE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace gg {

class ProcessHandle {
 public:
  virtual ~ProcessHandle() = default;
  // True once the watched process has exited (a zombie has exited). Never
  // blocks. When the OS cannot tell (an unexpected error), false: a seat is
  // then freed by the heartbeat timeout, never wrongly early.
  virtual bool Exited() = 0;
};

class ProcessProbe {
 public:
  virtual ~ProcessProbe() = default;
  // A handle on process `pid`. Null when the process cannot be watched at
  // all (pid <= 0, e.g. a peer in another pid namespace, or no mechanism
  // works): the caller then relies on timeouts. A pid with no process gives
  // a handle that has already exited. Thread-safe.
  virtual std::unique_ptr<ProcessHandle> Watch(int pid) = 0;
};

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe();

// Parses the text of /proc/<pid>/stat: field 22 (starttime), or nullopt
// when malformed or the state (field 3) is Z (zombie) or X (dead). The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted after its last ')'. Pure; in this header so every OS tests it.
std::optional<std::uint64_t> ParseProcStatStartTime(std::string_view stat);

}  // namespace gg

#endif  // GG_PLATFORM_PROCESS_PROBE_H_
