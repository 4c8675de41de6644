// A ProcessProbe over a map the test edits: a pid is alive while it is in
// `alive` with the start time it had when watched; erasing it (exit) or
// changing its start time (pid reused) makes the handle report an exit.
#ifndef GG_TESTS_FAKES_FAKE_PROCESS_PROBE_H_
#define GG_TESTS_FAKES_FAKE_PROCESS_PROBE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "platform/process_probe.h"

namespace gg::testing {

class FakeProcessProbe final : public ProcessProbe {
 public:
  std::unique_ptr<ProcessHandle> Watch(int pid) override {
    ++watches;
    if (pid <= 0)
      return nullptr;
    return std::make_unique<Handle>(*this, pid, StartOf(pid));
  }

  std::map<int, std::uint64_t> alive;
  int watches = 0;

 private:
  std::optional<std::uint64_t> StartOf(int pid) const {
    auto it = alive.find(pid);
    if (it == alive.end())
      return std::nullopt;
    return it->second;
  }

  class Handle final : public ProcessHandle {
   public:
    Handle(const FakeProcessProbe& probe,
           int pid,
           std::optional<std::uint64_t> start)
        : probe_(probe), pid_(pid), start_(start) {}
    bool Exited() override { return !start_ || probe_.StartOf(pid_) != start_; }

   private:
    const FakeProcessProbe& probe_;
    int pid_;
    std::optional<std::uint64_t> start_;
  };
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_PROCESS_PROBE_H_
