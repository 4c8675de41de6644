// libFuzzer target for /proc/PID/stat as the process probe reads it: a
// process names itself (field 2, up to 16 bytes of anything but NUL), so a
// hostile app writes part of the text the agent parses to decide whether a
// detached session's process still lives.
//
// Invariants: no start time for text without ')' or for a zombie/dead
// state; a start time returned is field 22 counted after the last ')', and
// renaming the process (any comm, parentheses and spaces included) never
// changes it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/process_probe.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using gg::fuzz::Check;
  const std::string_view stat(reinterpret_cast<const char*>(data), size);
  const auto start = gg::ParseProcStatStartTime(stat);
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) {
    Check(!start, "start time from text without a command name");
    return 0;
  }
  if (start) {
    const std::string_view after = stat.substr(close + 1);
    const auto from = after.find_first_not_of(' ');
    Check(from != std::string_view::npos, "start time without fields");
    const std::string_view state =
        after.substr(from, after.find_first_of(" \n", from) - from);
    Check(state != "Z" && state != "X",
          "start time for a zombie or dead process");
  }
  // A hostile comm in front of the same fields: the same answer.
  const std::string renamed =
      "4242 (x) Z 1 2 3 (y" + std::string(stat.substr(close));
  Check(gg::ParseProcStatStartTime(renamed) == start,
        "the command name changed the start time");
  return 0;
}
