// A deterministic Scheduler and BlockingWorker for engine and upstream
// client tests.
//
// Posted tasks queue until RunUntilIdle(); timers fire only in Advance(),
// which moves the FakeClock to each due timer in turn and runs it and the
// tasks it posted. Worker jobs run as posted tasks: work, then done, on the
// test thread, in submission order. Post() is thread-safe (the fake upstream
// may complete from another thread); everything else runs on the test
// thread, which is the loop thread.
#ifndef GG_TESTS_FAKES_MANUAL_SCHEDULER_H_
#define GG_TESTS_FAKES_MANUAL_SCHEDULER_H_

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "platform/scheduler.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/timer_queue.h"

namespace gg::testing {

class ManualScheduler final : public Scheduler, public BlockingWorker {
 public:
  // The constructing thread is the loop thread.
  explicit ManualScheduler(FakeClock& clock)
      : clock_(clock), loop_thread_(std::this_thread::get_id()) {}

  void Post(std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(fn));
  }

  TimerId RunAfter(std::chrono::milliseconds delay,
                   std::function<void()> fn) override {
    return timers_.Add(clock_.Monotonic() + delay, std::move(fn));
  }

  void Cancel(TimerId id) override { timers_.Cancel(id); }

  bool InLoopThread() const override {
    return std::this_thread::get_id() == loop_thread_;
  }

  void Submit(std::function<Status()> work,
              std::function<void(Status)> done) override {
    ++submitted_;
    Post([work = std::move(work), done = std::move(done)] { done(work()); });
  }

  // Runs posted tasks (and what they post) until none is left.
  void RunUntilIdle() {
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mutex_);
        if (posted_.empty()) {
          return;
        }
        fn = std::move(posted_.front());
        posted_.pop_front();
      }
      fn();
    }
  }

  // Moves the clock forward by `d`, firing due timers in order.
  void Advance(std::chrono::nanoseconds d) {
    const MonoTime end = clock_.Monotonic() + d;
    RunUntilIdle();
    while (!timers_.empty() && timers_.NextDue() <= end) {
      const MonoTime due = timers_.NextDue();
      auto fn = timers_.PopNext();
      if (due > clock_.Monotonic()) {
        clock_.Advance(due - clock_.Monotonic());
      }
      fn();
      RunUntilIdle();
    }
    if (end > clock_.Monotonic()) {
      clock_.Advance(end - clock_.Monotonic());
    }
  }

  // Runs posted tasks, then moves the clock to the next timer and fires it
  // (and what it posts). False when no timer was left to fire.
  bool AdvanceToNextTimer() {
    RunUntilIdle();
    if (timers_.empty()) {
      return false;
    }
    const MonoTime due = timers_.NextDue();
    Advance(due > clock_.Monotonic() ? due - clock_.Monotonic()
                                     : std::chrono::nanoseconds(0));
    return true;
  }

  std::size_t pending_timers() const { return timers_.size(); }
  int submitted() const { return submitted_; }

 private:
  FakeClock& clock_;
  const std::thread::id loop_thread_;
  std::mutex mutex_;
  std::deque<std::function<void()>> posted_;
  TimerQueue<MonoTime> timers_;
  int submitted_ = 0;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_MANUAL_SCHEDULER_H_
