#include "platform/worker_thread.h"

#include <utility>

namespace gg {

WorkerThread::WorkerThread() : thread_([this] { Loop(); }) {
  thread_id_ = thread_.get_id();
}

WorkerThread::~WorkerThread() {
  Join();
  if (thread_.joinable()) {
    thread_.detach();  // destroyed by its own job: it ends on its own
  }
}

bool WorkerThread::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return false;
    }
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void WorkerThread::Join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable() && !OnThread()) {
    thread_.join();
  }
}

void WorkerThread::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) {
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

void ThreadWorker::Submit(std::function<Status()> work,
                          std::function<void(Status)> done) {
  thread_.Post([this, work = std::move(work), done = std::move(done)] {
    Status result = work();
    if (done) {
      loop_.Post([done, result = std::move(result)]() mutable {
        done(std::move(result));
      });
    }
  });
}

}  // namespace gg
