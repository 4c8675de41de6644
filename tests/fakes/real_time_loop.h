// A Scheduler on real time whose loop is the test thread itself: RunUntil()
// runs posted tasks and due timers until a condition holds. For tests that
// talk to a real server over the real curl transport (its answers are
// posted from the transport's thread), where the clock cannot be faked.
// Post() is thread-safe; everything else runs on the constructing thread.
#ifndef GG_TESTS_FAKES_REAL_TIME_LOOP_H_
#define GG_TESTS_FAKES_REAL_TIME_LOOP_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "platform/scheduler.h"
#include "tests/fakes/timer_queue.h"

namespace gg::testing {

class RealTimeLoop final : public Scheduler {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void Post(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      posted_.push_back(std::move(fn));
    }
    wake_.notify_one();
  }

  TimerId RunAfter(std::chrono::milliseconds delay,
                   std::function<void()> fn) override {
    return timers_.Add(std::chrono::steady_clock::now() + delay, std::move(fn));
  }

  void Cancel(TimerId id) override { timers_.Cancel(id); }

  bool InLoopThread() const override {
    return std::this_thread::get_id() == loop_thread_;
  }

  // Runs tasks and due timers until `done()` holds (true) or `limit` has
  // passed (false). `done` is checked after each task.
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds limit) {
    const SteadyTime end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      std::function<void()> fn = Next(end);
      if (!fn) {
        return done();
      }
      fn();
    }
    return true;
  }

 private:
  // The next posted task or due timer, waiting for one until `end`; an
  // empty function when `end` came first.
  std::function<void()> Next(SteadyTime end) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!posted_.empty()) {
        auto fn = std::move(posted_.front());
        posted_.pop_front();
        return fn;
      }
      const auto now = std::chrono::steady_clock::now();
      if (!timers_.empty() && timers_.NextDue() <= now) {
        return timers_.PopNext();
      }
      if (now >= end) {
        return nullptr;
      }
      SteadyTime until = end;
      if (!timers_.empty() && timers_.NextDue() < until) {
        until = timers_.NextDue();
      }
      wake_.wait_until(lock, until);
    }
  }

  const std::thread::id loop_thread_ = std::this_thread::get_id();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> posted_;  // guarded by mutex_
  TimerQueue<SteadyTime> timers_;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_REAL_TIME_LOOP_H_
