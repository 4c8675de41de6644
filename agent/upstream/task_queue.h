// TaskQueue: one worker thread running posted tasks in order, plus delayed
// tasks (a timer queue on std::chrono::steady_clock). The upstream client
// runs all its per-call state here, so that state needs no locks and retries
// wait here, never on a caller's thread.
#ifndef GG_AGENT_UPSTREAM_TASK_QUEUE_H_
#define GG_AGENT_UPSTREAM_TASK_QUEUE_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace gg::upstream {

class TaskQueue {
 public:
  using Task = std::function<void()>;

  TaskQueue();
  ~TaskQueue();  // Stop()
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Thread-safe. After Stop() tasks are dropped (false returned).
  bool Post(Task task);
  bool PostAfter(std::chrono::milliseconds delay, Task task);

  // Drops pending tasks and timers, joins the thread (unless called on it).
  void Stop();

  bool OnWorkerThread() const {
    return std::this_thread::get_id() == thread_.get_id();
  }

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;   // guarded
  std::deque<Task> ready_;  // guarded
  std::multimap<std::chrono::steady_clock::time_point, Task>
      timers_;  // guarded
  std::thread thread_;
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_TASK_QUEUE_H_
