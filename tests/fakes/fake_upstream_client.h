// An UpstreamClient that records every Authorize and answers only when the
// test says so: Complete(i, outcome), or at once with a responder set by
// RespondWith() (which sees the request, so it can sign over it). Each
// completion but a shutdown is reported to the attempt observer first, as
// one attempt (the real client reports every retry too).
#ifndef GG_TESTS_FAKES_FAKE_UPSTREAM_CLIENT_H_
#define GG_TESTS_FAKES_FAKE_UPSTREAM_CLIENT_H_

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agent/upstream/client.h"

namespace gg::testing {

class FakeUpstreamClient final : public upstream::UpstreamClient {
 public:
  using Responder =
      std::function<upstream::Outcome(const upstream::AuthorizeRequest&)>;

  void Authorize(const upstream::AuthorizeRequest& request,
                 Callback done) override {
    Responder responder;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      pending_.push_back(std::move(done));
      responder = responder_;
    }
    if (responder) {
      Complete(requests_.size() - 1, responder(request));
    }
  }

  void SetAttemptObserver(AttemptObserver observer) override {
    std::lock_guard lock(mutex_);
    observer_ = std::move(observer);
  }

  void Shutdown(std::chrono::milliseconds) override {
    ++shutdowns_;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i]) {
        upstream::Failure f;
        f.code = "SHUTDOWN";
        Complete(i, f, /*report=*/false);
      }
    }
  }

  // Calls the i-th request's callback (once), after reporting the attempt.
  void Complete(std::size_t i, upstream::Outcome outcome, bool report = true) {
    Callback done;
    AttemptObserver observer;
    std::string product_id;
    std::string license_key;
    {
      std::lock_guard lock(mutex_);
      done = std::move(pending_.at(i));
      pending_[i] = nullptr;
      observer = observer_;
      product_id = requests_.at(i).product_id;
      license_key = requests_.at(i).license_key;
    }
    if (done && report && observer) {
      observer(upstream::MakeAttemptReport(product_id, outcome, license_key));
    }
    if (done) {
      done(std::move(outcome));
    }
  }

  // Reports one attempt on its own, as a retry the real client makes
  // before its final answer.
  void ReportAttempt(const upstream::AttemptReport& report) {
    AttemptObserver observer;
    {
      std::lock_guard lock(mutex_);
      observer = observer_;
    }
    if (observer) {
      observer(report);
    }
  }

  void RespondWith(Responder responder) {
    std::lock_guard lock(mutex_);
    responder_ = std::move(responder);
  }

  std::size_t calls() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  upstream::AuthorizeRequest request(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return requests_.at(i);
  }
  int shutdowns() const { return shutdowns_; }

 private:
  mutable std::mutex mutex_;
  std::vector<upstream::AuthorizeRequest> requests_;
  std::vector<Callback> pending_;
  Responder responder_;
  AttemptObserver observer_;
  int shutdowns_ = 0;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_UPSTREAM_CLIENT_H_
