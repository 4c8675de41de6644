// The timers of the test schedulers (ManualScheduler on a FakeClock,
// RealTimeLoop on steady_clock): ordered by due time, then by id, so timers
// due at once fire in the order they were set. Not thread-safe: its owner
// uses it from the loop thread only.
#ifndef GG_TESTS_FAKES_TIMER_QUEUE_H_
#define GG_TESTS_FAKES_TIMER_QUEUE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <utility>

#include "platform/scheduler.h"

namespace gg::testing {

template <class TimePoint>
class TimerQueue {
 public:
  Scheduler::TimerId Add(TimePoint due, std::function<void()> fn) {
    const Scheduler::TimerId id = next_id_++;
    timers_.emplace(std::pair{due, id}, std::move(fn));
    return id;
  }

  void Cancel(Scheduler::TimerId id) {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  bool empty() const { return timers_.empty(); }
  std::size_t size() const { return timers_.size(); }
  // The first timer's due time; only when !empty().
  TimePoint NextDue() const { return timers_.begin()->first.first; }
  // Removes the first timer and returns its task; only when !empty().
  std::function<void()> PopNext() {
    auto fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    return fn;
  }

 private:
  std::map<std::pair<TimePoint, Scheduler::TimerId>, std::function<void()>>
      timers_;
  Scheduler::TimerId next_id_ = 1;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_TIMER_QUEUE_H_
