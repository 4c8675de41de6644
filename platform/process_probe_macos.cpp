// macOS: the start time from proc_pidinfo(PROC_PIDTBSDINFO), in
// microseconds, read at Watch and compared later; a zombie (SZOMB) counts
// as gone.
#include <libproc.h>
#include <sys/proc.h>
#include <sys/proc_info.h>

#include "platform/process_probe.h"

namespace gg {
namespace {

std::optional<std::uint64_t> StartTime(int pid) {
  proc_bsdinfo info{};
  const int n = ::proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &info,
                               static_cast<int>(sizeof(info)));
  if (n != static_cast<int>(sizeof(info)) || info.pbi_status == SZOMB) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(info.pbi_start_tvsec) * 1000000u +
         static_cast<std::uint64_t>(info.pbi_start_tvusec);
}

class StartTimeHandle final : public ProcessHandle {
 public:
  StartTimeHandle(int pid, std::optional<std::uint64_t> start)
      : pid_(pid), start_(start) {}
  bool Exited() override { return !start_ || StartTime(pid_) != start_; }

 private:
  int pid_;
  std::optional<std::uint64_t> start_;
};

class MacProcessProbe final : public ProcessProbe {
 public:
  std::unique_ptr<ProcessHandle> Watch(int pid) override {
    if (pid <= 0) {
      return nullptr;
    }
    return std::make_unique<StartTimeHandle>(pid, StartTime(pid));
  }
};

}  // namespace

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe() {
  return std::make_unique<MacProcessProbe>();
}

}  // namespace gg
