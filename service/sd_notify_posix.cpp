// sd_notify on Linux/macOS: one AF_UNIX datagram per notification, as in
// systemd's man/notify-selfcontained-example.c.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "service/environment.h"
#include "service/sd_notify.h"

namespace gg::service {
namespace {

tl::unexpected<Error> ErrnoError(const char* what, int err) {
  return MakeError(ErrorCode::kIo,
                   std::string(what) + ": " + std::strerror(err));
}

}  // namespace

SystemdEnvironment ReadSystemdEnvironment() {
  return {GetEnv("NOTIFY_SOCKET"), GetEnv("WATCHDOG_USEC"),
          GetEnv("WATCHDOG_PID")};
}

std::int64_t CurrentProcessId() {
  return static_cast<std::int64_t>(::getpid());
}

std::chrono::microseconds MonotonicNow() {
  struct timespec ts {};
  if (::clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return std::chrono::microseconds(0);  // cannot fail for CLOCK_MONOTONIC
  return std::chrono::seconds(ts.tv_sec) +
         std::chrono::microseconds(ts.tv_nsec / 1000);
}

Status SendNotification(const NotifyTarget& target, std::string_view message) {
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::size_t offset = target.abstract ? 1 : 0;  // abstract: leading NUL
  if (target.path.empty() ||
      target.path.size() + offset >= sizeof(addr.sun_path))
    return MakeError(ErrorCode::kConfig, "bad notification socket path");
  std::memcpy(addr.sun_path + offset, target.path.data(), target.path.size());
  auto addr_len =
      static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + offset +
                             target.path.size() + (target.abstract ? 0 : 1));

  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return ErrnoError("socket", errno);
  // Non-blocking: a stuck service manager must not stall the event loop.
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError("fcntl", err);
  }
  ssize_t n;
  do {
    n = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const struct sockaddr*>(&addr), addr_len);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  if (::close(fd) != 0 && n >= 0)
    return ErrnoError("close", errno);
  if (n < 0)
    return ErrnoError("sendto NOTIFY_SOCKET", err);
  if (static_cast<std::size_t>(n) != message.size())
    return MakeError(ErrorCode::kIo, "sendto NOTIFY_SOCKET: short write");
  return Ok();
}

}  // namespace gg::service
