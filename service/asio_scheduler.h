// The engine's Scheduler and BlockingWorker over Asio: the agent/ layer
// never includes Asio, service/ gives it a loop and a worker thread.
#ifndef GG_SERVICE_ASIO_SCHEDULER_H_
#define GG_SERVICE_ASIO_SCHEDULER_H_

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/engine/scheduler.h"
#include "ipc/asio.h"

namespace gg::service {

// Post() from any thread; RunAfter()/Cancel() on the loop thread only.
class AsioScheduler final : public agent::Scheduler {
 public:
  explicit AsioScheduler(asio::io_context& io) : io_(io) {}
  ~AsioScheduler() override;

  void Post(std::function<void()> fn) override;
  TimerId RunAfter(std::chrono::milliseconds delay,
                   std::function<void()> fn) override;
  void Cancel(TimerId id) override;
  // Cancels every timer (at stop, so the loop can run dry).
  void CancelAll();

 private:
  asio::io_context& io_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
};

// One worker thread running jobs in submission order; each continuation is
// posted back to the loop. Join() runs what was submitted, then stops.
class ThreadWorker final : public agent::BlockingWorker {
 public:
  explicit ThreadWorker(asio::io_context& io);
  ~ThreadWorker() override;

  void Submit(std::function<Status()> work,
              std::function<void(Status)> done) override;
  // Waits for the queue to drain and the thread to end. Continuations of
  // jobs finished after the loop stopped are dropped.
  void Join();

 private:
  struct Job {
    std::function<Status()> work;
    std::function<void(Status)> done;
  };
  void Loop();

  asio::io_context& io_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gg::service

#endif  // GG_SERVICE_ASIO_SCHEDULER_H_
