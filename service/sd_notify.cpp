// The OS-independent half of sd_notify: parsing and message formatting, and
// SystemdHost on top of SendNotification().
#include "service/sd_notify.h"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

namespace gg::service {
namespace {

// sizeof(sockaddr_un::sun_path) on Linux; the path needs a NUL after it
// (abstract names need the leading NUL instead).
constexpr std::size_t kMaxSocketPath = 108;

// A whole decimal number, no sign, no spaces; nullopt otherwise.
std::optional<std::int64_t> ParseDecimal(const std::string& s) {
  if (s.empty())
    return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0)
    return std::nullopt;
  return v;
}

}  // namespace

Result<std::optional<NotifyTarget>> ParseNotifySocket(
    const std::optional<std::string>& value) {
  if (!value || value->empty())
    return std::optional<NotifyTarget>();
  const std::string& v = *value;
  NotifyTarget target;
  if (v[0] == '@') {
    target.abstract = true;
    target.path = v.substr(1);
    if (target.path.empty())
      return MakeError(ErrorCode::kConfig,
                       "NOTIFY_SOCKET: empty abstract name");
  } else if (v[0] == '/') {
    target.path = v;
  } else {
    // vsock: and other transports of newer systemd are not ours to support.
    return MakeError(ErrorCode::kConfig,
                     "NOTIFY_SOCKET: not a Unix socket path: " + v);
  }
  if (target.path.size() >= kMaxSocketPath)
    return MakeError(ErrorCode::kConfig, "NOTIFY_SOCKET: path too long");
  return std::optional<NotifyTarget>(std::move(target));
}

std::optional<std::chrono::microseconds> ParseWatchdogTimeout(
    const std::optional<std::string>& watchdog_usec,
    const std::optional<std::string>& watchdog_pid,
    std::int64_t self_pid) {
  if (!watchdog_usec)
    return std::nullopt;
  auto usec = ParseDecimal(*watchdog_usec);
  if (!usec || *usec == 0)
    return std::nullopt;
  // WATCHDOG_PID names the process the watchdog is meant for; a child that
  // inherited the environment must not think it is watched.
  if (watchdog_pid) {
    auto pid = ParseDecimal(*watchdog_pid);
    if (!pid || *pid != self_pid)
      return std::nullopt;
  }
  return std::chrono::microseconds(*usec);
}

std::string StatusMessage(std::string_view line) {
  std::string out = "STATUS=";
  out.reserve(out.size() + line.size());
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

std::string ReloadingMessage(std::chrono::microseconds monotonic) {
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic.count());
}

SystemdHost::SystemdHost(const SystemdEnvironment& env, std::int64_t self_pid) {
  auto target = ParseNotifySocket(env.notify_socket);
  if (!target) {
    spdlog::warn("systemd notifications disabled: {}", target.error().message);
  } else {
    target_ = *target;
  }
  // Without a notification socket WATCHDOG=1 cannot be delivered anyway.
  if (target_)
    watchdog_timeout_ =
        ParseWatchdogTimeout(env.watchdog_usec, env.watchdog_pid, self_pid);
}

void SystemdHost::Ready() {
  Send("READY=1");
}

void SystemdHost::Status(const std::string& line) {
  Send(StatusMessage(line));
}

void SystemdHost::Reloading() {
  Send(ReloadingMessage(MonotonicNow()));
}

void SystemdHost::Stopping() {
  Send("STOPPING=1");
}

std::optional<std::chrono::microseconds> SystemdHost::WatchdogInterval() {
  if (!watchdog_timeout_)
    return std::nullopt;
  // sd_watchdog_enabled(3): "send a notification at half the interval".
  return std::max(*watchdog_timeout_ / 2, std::chrono::microseconds(1));
}

void SystemdHost::Watchdog() {
  Send("WATCHDOG=1");
}

void SystemdHost::Send(const std::string& message) {
  if (!target_)
    return;
  auto sent = SendNotification(*target_, message);
  if (sent)
    return;
  if (!warned_) {
    warned_ = true;
    spdlog::warn("cannot notify systemd: {}", sent.error().message);
  } else {
    spdlog::debug("cannot notify systemd: {}", sent.error().message);
  }
}

}  // namespace gg::service
