// Linux: a pidfd per watched process; the /proc start time where the
// kernel or a sandbox refuses pidfd_open.
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "platform/process_probe.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture
#endif

namespace gg {
namespace {

std::optional<std::uint64_t> ReadStartTime(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;  // no such process, or hidden (hidepid)
  }
  // The line is well under 1 KiB; read it whole.
  char buf[1024];
  std::size_t used = 0;
  while (used < sizeof(buf)) {
    const ssize_t n = ::read(fd, buf + used, sizeof(buf) - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return ParseProcStatStartTime(std::string_view(buf, used));
}

// Readable (POLLIN) once the process has exited; the fd pins the process
// identity, so pid reuse cannot fool it.
class PidfdHandle final : public ProcessHandle {
 public:
  explicit PidfdHandle(int fd) : fd_(fd) {}
  ~PidfdHandle() override { ::close(fd_); }
  PidfdHandle(const PidfdHandle&) = delete;
  PidfdHandle& operator=(const PidfdHandle&) = delete;

  bool Exited() override {
    pollfd p{fd_, POLLIN, 0};
    int n = 0;
    do {
      n = ::poll(&p, 1, 0);
    } while (n < 0 && errno == EINTR);
    return n > 0 && (p.revents & POLLIN) != 0;
  }

 private:
  int fd_;
};

class StartTimeHandle final : public ProcessHandle {
 public:
  StartTimeHandle(int pid, std::uint64_t start) : pid_(pid), start_(start) {}
  bool Exited() override { return ReadStartTime(pid_) != start_; }

 private:
  int pid_;
  std::uint64_t start_;
};

class ExitedHandle final : public ProcessHandle {
 public:
  bool Exited() override { return true; }
};

class LinuxProcessProbe final : public ProcessProbe {
 public:
  std::unique_ptr<ProcessHandle> Watch(int pid) override {
    if (pid <= 0) {
      return nullptr;
    }
    const long fd = ::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0u);
    if (fd >= 0) {
      // pidfd_open gives O_CLOEXEC fds by definition.
      return std::make_unique<PidfdHandle>(static_cast<int>(fd));
    }
    if (errno == ESRCH) {
      return std::make_unique<ExitedHandle>();
    }
    // ENOSYS (kernel < 5.3), EPERM (a seccomp filter), EMFILE: the start
    // time, which a hidepid /proc hides from us (then: null).
    if (auto start = ReadStartTime(pid)) {
      return std::make_unique<StartTimeHandle>(pid, *start);
    }
    return nullptr;
  }
};

}  // namespace

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe() {
  return std::make_unique<LinuxProcessProbe>();
}

}  // namespace gg
