// The two seams through which code gets a thread to run on.
//
// Scheduler: one loop thread. Post() may be called from any thread (the
// curl transport answers on its own); RunAfter() and Cancel() only on the
// loop. The engine and the upstream client both keep their state on it, so
// that state needs no locks, and tests drive every timer with a fake clock
// (tests/fakes/manual_scheduler.h). BlockingWorker: runs blocking work off
// the loop and posts its continuation back onto it. service/ implements the
// Scheduler over Asio; platform/worker_thread.h is the worker. Nothing
// below service/ sees Asio.
#ifndef GG_PLATFORM_SCHEDULER_H_
#define GG_PLATFORM_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <functional>

#include "platform/result.h"

namespace gg {

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
  // True on the loop thread itself. Thread-safe. Lets a caller that may be
  // on either side (a shutdown) act at once instead of posting and waiting
  // for itself.
  virtual bool InLoopThread() const = 0;
};

class BlockingWorker {
 public:
  virtual ~BlockingWorker() = default;
  // Runs `work` on a worker thread (jobs run one at a time, in submission
  // order), then `done(result)` on the loop thread. Loop only.
  virtual void Submit(std::function<Status()> work,
                      std::function<void(Status)> done) = 0;
};

}  // namespace gg

#endif  // GG_PLATFORM_SCHEDULER_H_
