// The two seams through which the engine gets a thread to run on.
//
// Scheduler: the engine's single loop thread. Post() may be called from any
// thread (the upstream client calls back on its own); RunAfter() and
// Cancel() only on the loop. BlockingWorker: runs blocking store writes off
// the loop and posts their continuation back onto it. service/ implements
// both over Asio; tests use tests/fakes/manual_scheduler.h. The agent layer
// never sees Asio.
#ifndef GG_AGENT_ENGINE_SCHEDULER_H_
#define GG_AGENT_ENGINE_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <functional>

#include "platform/result.h"

namespace gg::agent {

class Scheduler {
 public:
  using TimerId = std::uint64_t;  // 0 is never a valid timer
  virtual ~Scheduler() = default;

  // Runs `fn` on the loop thread, soon, in posting order. Thread-safe.
  virtual void Post(std::function<void()> fn) = 0;
  // Runs `fn` on the loop after `delay` unless cancelled first. Loop only.
  virtual TimerId RunAfter(std::chrono::milliseconds delay,
                           std::function<void()> fn) = 0;
  // Cancels a timer that has not run; unknown or spent ids are ignored.
  virtual void Cancel(TimerId id) = 0;
};

class BlockingWorker {
 public:
  virtual ~BlockingWorker() = default;
  // Runs `work` on a worker thread (jobs run one at a time, in submission
  // order), then `done(result)` on the loop thread. Loop only.
  virtual void Submit(std::function<Status()> work,
                      std::function<void(Status)> done) = 0;
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_SCHEDULER_H_
