// The systemd notification protocol (sd_notify(3)), our own few dozen lines:
// a datagram of "KEY=VALUE\n" lines sent to the socket named by
// NOTIFY_SOCKET. The protocol is documented as stable, so no libsystemd.
//
// Parsing (the environment strings in, a target or an interval out) is pure
// and tested on every OS. Sending is per OS: sd_notify_posix.cpp sends the
// datagram, sd_notify_windows.cpp does nothing (no systemd there).
//
// Threads: the parse functions are pure. SystemdHost is called on the agent's
// loop thread (ServiceHost's contract); its methods do not block beyond one
// non-blocking sendmsg().
#ifndef GG_SERVICE_SD_NOTIFY_H_
#define GG_SERVICE_SD_NOTIFY_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/result.h"
#include "service/run_agent.h"

namespace gg::service {

// Where notifications go. `abstract` is a Linux abstract socket: NOTIFY_SOCKET
// started with '@', which stands for a leading NUL byte in the address.
struct NotifyTarget {
  std::string path;  // without the '@'
  bool abstract = false;
};

// The service manager's variables as read from the environment (nullopt when
// unset). Kept as plain strings so the parsing below stays pure.
struct SystemdEnvironment {
  std::optional<std::string> notify_socket;
  std::optional<std::string> watchdog_usec;
  std::optional<std::string> watchdog_pid;
};

// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. (getenv is allowed in
// service/ only.)
SystemdEnvironment ReadSystemdEnvironment();

// This process's id (getpid(), GetCurrentProcessId()).
std::int64_t CurrentProcessId();

// NOTIFY_SOCKET: nullopt when unset or empty (not run by systemd: nothing to
// do); an error for a value we cannot use (not "/..." or "@...", too long
// for sockaddr_un, or another transport such as "vsock:").
[[nodiscard]] Result<std::optional<NotifyTarget>> ParseNotifySocket(
    const std::optional<std::string>& value);

// WATCHDOG_USEC/WATCHDOG_PID as sd_watchdog_enabled(3) reads them: the
// watchdog timeout when it is set, a positive integer, and meant for us
// (WATCHDOG_PID unset, or equal to `self_pid`); else nullopt.
[[nodiscard]] std::optional<std::chrono::microseconds> ParseWatchdogTimeout(
    const std::optional<std::string>& watchdog_usec,
    const std::optional<std::string>& watchdog_pid,
    std::int64_t self_pid);

// A STATUS= value on one line: systemd reads a message line by line, so a
// newline in a status would end it. Control characters become spaces.
[[nodiscard]] std::string StatusMessage(std::string_view line);

// "RELOADING=1\nMONOTONIC_USEC=<n>": systemd >= 253 (Type=notify-reload)
// needs the timestamp to tell this reload from an older one.
[[nodiscard]] std::string ReloadingMessage(std::chrono::microseconds monotonic);

// CLOCK_MONOTONIC now, the clock MONOTONIC_USEC is defined in.
std::chrono::microseconds MonotonicNow();

// Sends `message` as one datagram to `target`. Non-blocking: a full queue is
// an error, never a stall of the event loop. No-op success on Windows.
[[nodiscard]] Status SendNotification(const NotifyTarget& target,
                                      std::string_view message);

// ServiceHost for the agent run by systemd (Type=notify). Without
// NOTIFY_SOCKET every call is a no-op, so a foreground run needs no other
// host. A failed send is logged (warning once, then debug) and otherwise
// ignored: a notification must never stop the agent.
class SystemdHost final : public ServiceHost {
 public:
  SystemdHost(const SystemdEnvironment& env, std::int64_t self_pid);

  void Ready() override;                          // READY=1
  void Status(const std::string& line) override;  // STATUS=...
  void Reloading() override;  // RELOADING=1 + MONOTONIC_USEC
  void Stopping() override;   // STOPPING=1
  // Half of WATCHDOG_USEC (systemd's advice), or nullopt.
  std::optional<std::chrono::microseconds> WatchdogInterval() override;
  void Watchdog() override;  // WATCHDOG=1

  bool enabled() const { return target_.has_value(); }

 private:
  void Send(const std::string& message);

  std::optional<NotifyTarget> target_;
  std::optional<std::chrono::microseconds> watchdog_timeout_;
  bool warned_ = false;
};

}  // namespace gg::service

#endif  // GG_SERVICE_SD_NOTIFY_H_
