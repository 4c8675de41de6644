// ProcessProbe: is the process that opened a detached session still alive?
//
// A process is identified by its pid and its start time, read when the
// session opens: a pid reused by another process has another start time.
// The start time is an opaque per-OS number (Linux: /proc/<pid>/stat field
// 22 in clock ticks since boot; Windows: creation FILETIME; macOS: start
// time in microseconds), only ever compared for equality.
// MakeSystemProcessProbe() picks the per-OS file (process_probe_<os>.cpp).
#ifndef GG_AGENT_ENGINE_PROCESS_PROBE_H_
#define GG_AGENT_ENGINE_PROCESS_PROBE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace gg::agent {

class ProcessProbe {
 public:
  virtual ~ProcessProbe() = default;
  // The start time of live process `pid`; nullopt when there is none (or it
  // has exited and is only a zombie, or it cannot be read). Thread-safe.
  virtual std::optional<std::uint64_t> StartTime(int pid) = 0;
};

std::unique_ptr<ProcessProbe> MakeSystemProcessProbe();

// Parses the text of /proc/<pid>/stat: field 22 (starttime), or nullopt
// when malformed or the state (field 3) is Z (zombie) or X (dead). The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted after its last ')'. Pure; in this header so every OS tests it.
std::optional<std::uint64_t> ParseProcStatStartTime(std::string_view stat);

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_PROCESS_PROBE_H_
