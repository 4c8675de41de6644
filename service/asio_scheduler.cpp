#include "service/asio_scheduler.h"

namespace gg::service {

AsioScheduler::~AsioScheduler() {
  CancelAll();
}

void AsioScheduler::Post(std::function<void()> fn) {
  asio::post(io_, std::move(fn));
}

Scheduler::TimerId AsioScheduler::RunAfter(std::chrono::milliseconds delay,
                                           std::function<void()> fn) {
  TimerId id = next_id_++;
  auto timer = std::make_unique<asio::steady_timer>(io_, delay);
  timer->async_wait([this, id, fn = std::move(fn)](const std::error_code& ec) {
    if (ec)
      return;  // cancelled: the entry is already gone
    timers_.erase(id);
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioScheduler::Cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end())
    return;
  it->second->cancel();
  // The handler still runs (with operation_aborted), so the timer object
  // must live until then: hand its ownership to a posted no-op.
  std::shared_ptr<asio::steady_timer> keep(std::move(it->second));
  timers_.erase(it);
  asio::post(io_, [keep] {});
}

bool AsioScheduler::InLoopThread() const {
  return io_.get_executor().running_in_this_thread();
}

void AsioScheduler::CancelAll() {
  while (!timers_.empty())
    Cancel(timers_.begin()->first);
}

}  // namespace gg::service
