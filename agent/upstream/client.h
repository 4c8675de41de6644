// UpstreamClient: the seam through which the agent asks the GeckoGuard API.
//
// The real client (authorize_client.h) signs, sends over an HttpTransport,
// verifies, classifies and retries per upstream.md §4; tests pass a fake.
#ifndef GG_AGENT_UPSTREAM_CLIENT_H_
#define GG_AGENT_UPSTREAM_CLIENT_H_

#include <functional>
#include <string>
#include <utility>

#include "agent/upstream/rate_limit.h"
#include "agent/upstream/types.h"

namespace gg::upstream {

// What one attempt (one HTTP exchange, or one that failed on the way)
// ended in, reported as it happens, retries included: `status` says
// "online" only when the last attempt got a verdict.
struct AttemptReport {
  std::string product_id;
  // Which key's call it was, so the engine can answer that key's waiting
  // asks early (never logged).
  std::string license_key;
  bool verdict = false;  // a license verdict (allow or deny) came back
  bool allow = false;
  FailureClass failure_class = FailureClass::kTransient;  // when !verdict
  int http_status = 0;                                    // 0: no HTTP answer
  std::string code;  // the denial's reasonCode or the failure's code
  std::string message;
  std::string request_id;
  RateLimitInfo rate_limit;  // the answer's rate-limit headers
};

// The report of an attempt that ended in `outcome` (no headers).
inline AttemptReport MakeAttemptReport(std::string product_id,
                                       const Outcome& outcome,
                                       std::string license_key = {}) {
  AttemptReport r;
  r.product_id = std::move(product_id);
  r.license_key = std::move(license_key);
  if (const auto* v = std::get_if<Verdict>(&outcome)) {
    r.verdict = true;
    r.allow = v->allow;
    r.code = v->reason_code;
    r.message = v->message;
    r.request_id = v->request_id;
    r.http_status = v->signed_material ? v->signed_material->status : 404;
  } else {
    const auto& f = std::get<Failure>(outcome);
    r.failure_class = f.failure_class;
    r.http_status = f.http_status;
    r.code = f.code;
    r.message = f.message;
    r.request_id = f.request_id;
  }
  return r;
}

class UpstreamClient {
 public:
  using Callback = std::function<void(Outcome)>;
  using AttemptObserver = std::function<void(const AttemptReport&)>;
  virtual ~UpstreamClient() = default;

  // Sets who hears of every attempt. Call before the first Authorize; the
  // observer runs where `done` does and must be thread-safe and quick.
  virtual void SetAttemptObserver(AttemptObserver observer) = 0;

  // Starts one authorize, retries included, and calls `done` exactly once
  // with the final outcome. Never blocks the caller. `done` may run on
  // another thread (the real client runs it on its Scheduler's loop, a
  // fake on whichever thread completes it): the caller posts it to its own
  // loop.
  virtual void Authorize(const AuthorizeRequest& request, Callback done) = 0;

  // Abandons retries and in-flight calls; each pending `done` still runs
  // once (with a transient Failure). Returns once none is outstanding or
  // `timeout` has passed.
  virtual void Shutdown(std::chrono::milliseconds timeout) = 0;
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_CLIENT_H_
