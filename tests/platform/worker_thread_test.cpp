// WorkerThread runs jobs in order off the caller's thread and finishes what
// was posted at Join; ThreadWorker hands each result back on the loop.
#include "platform/worker_thread.h"

#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fakes/fake_clock.h"
#include "tests/fakes/manual_scheduler.h"

namespace gg {
namespace {

// Jobs run one at a time, in posting order, on another thread; Join runs
// those still queued, and later posts are refused.
TEST(WorkerThreadTest, RunsJobsInOrderAndDrainsAtJoin) {
  WorkerThread worker;
  std::vector<int> order;  // written by the worker only, read after Join
  std::thread::id ran_on;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(worker.Post([&order, &ran_on, &worker, i] {
      order.push_back(i);
      ran_on = std::this_thread::get_id();
      EXPECT_TRUE(worker.OnThread());
    }));
  }
  worker.Join();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(order[i], i);
  }
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_FALSE(worker.OnThread());
  EXPECT_FALSE(worker.Post([] {}));
}

// Join from one of its own jobs only stops it (no self-join); the owner's
// Join then returns.
TEST(WorkerThreadTest, JoinFromItsOwnJobDoesNotDeadlock) {
  WorkerThread worker;
  bool after = false;
  std::promise<void> both_posted;
  std::shared_future<void> posted = both_posted.get_future().share();
  worker.Post([&worker, posted] {
    posted.wait();
    worker.Join();
  });
  worker.Post([&after] { after = true; });  // queued before the stop
  both_posted.set_value();
  worker.Join();
  EXPECT_TRUE(after);
}

// ThreadWorker: the work runs on its thread, `done` only when the loop
// runs, with the work's result.
TEST(ThreadWorkerTest, DoneRunsOnTheLoopWithTheResult) {
  testing::FakeClock clock;
  testing::ManualScheduler loop(clock);
  ThreadWorker worker(loop);
  std::thread::id work_thread;
  std::vector<std::string> results;
  worker.Submit(
      [&work_thread]() -> Status {
        work_thread = std::this_thread::get_id();
        return MakeError(ErrorCode::kIo, "disk");
      },
      [&results](Status s) {
        results.push_back(s ? "ok" : std::string(Name(s.error().code)));
      });
  worker.Submit([]() -> Status { return {}; },
                [&results](Status s) { results.push_back(s ? "ok" : "?"); });
  worker.Join();  // both jobs ran; their continuations wait for the loop
  EXPECT_NE(work_thread, std::this_thread::get_id());
  EXPECT_TRUE(results.empty());
  loop.RunUntilIdle();
  EXPECT_EQ(results, (std::vector<std::string>{"IO", "ok"}));
}

}  // namespace
}  // namespace gg
