#include "service/asio_scheduler.h"

namespace gg::service {

AsioScheduler::~AsioScheduler() {
  CancelAll();
}

void AsioScheduler::Post(std::function<void()> fn) {
  asio::post(io_, std::move(fn));
}

agent::Scheduler::TimerId AsioScheduler::RunAfter(
    std::chrono::milliseconds delay,
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

void AsioScheduler::CancelAll() {
  while (!timers_.empty())
    Cancel(timers_.begin()->first);
}

ThreadWorker::ThreadWorker(asio::io_context& io)
    : io_(io), thread_([this] { Loop(); }) {}

ThreadWorker::~ThreadWorker() {
  Join();
}

void ThreadWorker::Submit(std::function<Status()> work,
                          std::function<void(Status)> done) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({std::move(work), std::move(done)});
  }
  cv_.notify_one();
}

void ThreadWorker::Join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void ThreadWorker::Loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Status result = job.work();
    if (job.done)
      asio::post(io_, [done = std::move(job.done), result]() mutable {
        done(std::move(result));
      });
  }
}

}  // namespace gg::service
