// macOS: the start time from proc_pidinfo(PROC_PIDTBSDINFO), in
// microseconds; a zombie (SZOMB) counts as gone.
#include <libproc.h>
#include <sys/proc.h>
#include <sys/proc_info.h>

#include "agent/engine/process_probe.h"

namespace gg::agent {
namespace {

class MacProcessProbe final : public ProcessProbe {
 public:
  std::optional<std::uint64_t> StartTime(int pid) override {
    if (pid <= 0) {
      return std::nullopt;
    }
    proc_bsdinfo info{};
    const int n = ::proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &info,
                                 static_cast<int>(sizeof(info)));
    if (n != static_cast<int>(sizeof(info)) || info.pbi_status == SZOMB) {
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(info.pbi_start_tvsec) * 1000000u +
           static_cast<std::uint64_t>(info.pbi_start_tvusec);
  }
};

}  // namespace

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe() {
  return std::make_unique<MacProcessProbe>();
}

}  // namespace gg::agent
