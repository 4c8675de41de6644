#include "agent/upstream/task_queue.h"

#include <utility>

namespace gg::upstream {

TaskQueue::TaskQueue() : thread_([this] { Run(); }) {}

TaskQueue::~TaskQueue() {
  Stop();
}

bool TaskQueue::Post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return false;
    }
    ready_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

bool TaskQueue::PostAfter(std::chrono::milliseconds delay, Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return false;
    }
    timers_.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
  }
  wake_.notify_one();
  return true;
}

void TaskQueue::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && !OnWorkerThread()) {
    thread_.join();
  }
}

void TaskQueue::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      ready_.push_back(std::move(timers_.begin()->second));
      timers_.erase(timers_.begin());
    }
    if (ready_.empty()) {
      if (timers_.empty()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, timers_.begin()->first);
      }
      continue;
    }
    Task task = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // destroy captures outside the lock
    lock.lock();
  }
  // Destroy what is left without the lock: captures may post.
  std::deque<Task> ready;
  ready.swap(ready_);
  auto timers = std::move(timers_);
  timers_.clear();
  lock.unlock();
}

}  // namespace gg::upstream
