// Linux: the start time is field 22 of /proc/<pid>/stat.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "agent/engine/process_probe.h"

namespace gg::agent {
namespace {

class LinuxProcessProbe final : public ProcessProbe {
 public:
  std::optional<std::uint64_t> StartTime(int pid) override {
    if (pid <= 0) {
      return std::nullopt;
    }
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return std::nullopt;  // ENOENT: no such process
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
};

}  // namespace

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe() {
  return std::make_unique<LinuxProcessProbe>();
}

}  // namespace gg::agent
