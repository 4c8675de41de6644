// The Scheduler over Asio: nothing below service/ includes Asio, service/
// gives the engine and the upstream client their loop (the worker thread is
// platform/worker_thread.h).
#ifndef GG_SERVICE_ASIO_SCHEDULER_H_
#define GG_SERVICE_ASIO_SCHEDULER_H_

#include <map>
#include <memory>

#include "ipc/asio.h"
#include "platform/scheduler.h"

namespace gg::service {

// Post() from any thread; RunAfter()/Cancel() on the loop thread only.
class AsioScheduler final : public Scheduler {
 public:
  explicit AsioScheduler(asio::io_context& io) : io_(io) {}
  ~AsioScheduler() override;

  void Post(std::function<void()> fn) override;
  TimerId RunAfter(std::chrono::milliseconds delay,
                   std::function<void()> fn) override;
  void Cancel(TimerId id) override;
  bool InLoopThread() const override;
  // Cancels every timer (at stop, so the loop can run dry).
  void CancelAll();

 private:
  asio::io_context& io_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
};

}  // namespace gg::service

#endif  // GG_SERVICE_ASIO_SCHEDULER_H_
