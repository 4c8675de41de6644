// A ProcessProbe over a map the test edits: a pid is alive while it is in
// `alive`, with the start time stored there.
#ifndef GG_TESTS_FAKES_FAKE_PROCESS_PROBE_H_
#define GG_TESTS_FAKES_FAKE_PROCESS_PROBE_H_

#include <cstdint>
#include <map>
#include <optional>

#include "agent/engine/process_probe.h"

namespace gg::testing {

class FakeProcessProbe final : public agent::ProcessProbe {
 public:
  std::optional<std::uint64_t> StartTime(int pid) override {
    auto it = alive.find(pid);
    if (it == alive.end())
      return std::nullopt;
    return it->second;
  }
  std::map<int, std::uint64_t> alive;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_PROCESS_PROBE_H_
