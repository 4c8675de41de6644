// WorkerThread: the agent's one class that owns a thread for blocking work.
// Jobs run one at a time in posting order; Join() runs what was posted,
// then ends the thread. The store's writes (ThreadWorker below, over the
// engine's loop) and the curl transport's poll loop (one long job) each
// run on an instance of it: blocking calls never run on the loop.
#ifndef GG_PLATFORM_WORKER_THREAD_H_
#define GG_PLATFORM_WORKER_THREAD_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "platform/scheduler.h"

namespace gg {

class WorkerThread {
 public:
  WorkerThread();
  ~WorkerThread();  // Join()
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // Thread-safe. False (and `job` dropped) once Join() has begun.
  bool Post(std::function<void()> job);
  // Runs the jobs already posted, then ends the thread and waits for it.
  // Called on the thread itself (from a job), it only stops taking jobs.
  void Join();
  bool OnThread() const { return std::this_thread::get_id() == thread_id_; }

 private:
  void Loop();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  std::thread thread_;
  std::thread::id thread_id_;
};

// A BlockingWorker over a WorkerThread: work runs there, each `done` is
// posted to `loop`. Continuations of jobs that finish after the loop has
// stopped are never run. Join() before what the jobs use goes away.
class ThreadWorker final : public BlockingWorker {
 public:
  explicit ThreadWorker(Scheduler& loop) : loop_(loop) {}

  void Submit(std::function<Status()> work,
              std::function<void(Status)> done) override;
  void Join() { thread_.Join(); }

 private:
  Scheduler& loop_;
  WorkerThread thread_;
};

}  // namespace gg

#endif  // GG_PLATFORM_WORKER_THREAD_H_
