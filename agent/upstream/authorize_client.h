// AuthorizeClient: the real UpstreamClient (upstream.md §1–§4).
//
// Each Authorize() signs a fresh request (new nonce and timestamp per
// attempt), sends it over the HttpTransport, verifies and classifies the
// answer (response.h, classify.h) and retries per retry_policy.h. All call
// state lives on the loop thread of the Scheduler it is given (the
// engine's): backoff waits are that scheduler's timers, so tests drive
// them with a fake clock, and the state needs no locks. The transport
// answers on its own thread; each answer is posted to the loop.
//
// Clock: request timestamps are `clock.Now()` plus an offset learnt from the
// `Date` header of a SIGNATURE_EXPIRED answer; the offset is kept for later
// requests. The 429 window per product uses `clock.Monotonic()`.
//
// Logging: one line per final outcome with the x-request-id, a security
// line for every unsigned or badly signed verdict, a warning when an
// answer's X-RateLimit-Remaining-* budget runs low (once until it
// recovers). Never the API key, the signing secret or the license key.
#ifndef GG_AGENT_UPSTREAM_AUTHORIZE_CLIENT_H_
#define GG_AGENT_UPSTREAM_AUTHORIZE_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/upstream/client.h"
#include "agent/upstream/http_transport.h"
#include "agent/upstream/http_transport_curl.h"
#include "agent/upstream/request.h"
#include "agent/upstream/response.h"
#include "agent/upstream/retry_policy.h"
#include "platform/clock.h"
#include "platform/random.h"
#include "platform/result.h"
#include "platform/scheduler.h"
#include "platform/secret.h"

namespace gg::upstream {

struct AuthorizeClientOptions {
  std::string base_url;
  Secret api_key;
  Secret signing_secret;
  std::vector<std::string> response_public_keys;  // raw 32-byte keys
  // Transport settings, used by CreateWithCurl.
  std::optional<std::string> ca_file;
  std::optional<std::string> pinned_public_keys;  // "sha256//..;sha256//.."
  std::optional<std::string> proxy;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
  // Retry schedule (tests shorten the backoff).
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  // Window for a 429 that lacks Retry-After (the seed's default).
  std::chrono::seconds default_retry_after{60};
  // No unsigned Retry-After holds a product back longer than this
  // (server.maxRetryAfterSeconds): past it the agent probes with backoff.
  std::chrono::seconds max_retry_after{300};
};

// The transport settings of `options` (CreateWithCurl's, and doctor's
// connection probe's: both connect as the agent does).
CurlTransportOptions TransportOptionsOf(const AuthorizeClientOptions& options);

class AuthorizeClient final : public UpstreamClient {
 public:
  // Errors: kInvalidBaseUrl; kConfig for no public key, an empty
  // API key or signing secret, or max_attempts < 1. `clock`, `random` and
  // `loop` must outlive the client; `random` is used on the loop only.
  [[nodiscard]] static Result<std::unique_ptr<AuthorizeClient>> Create(
      AuthorizeClientOptions options,
      const Clock& clock,
      RandomSource& random,
      Scheduler& loop,
      std::unique_ptr<HttpTransport> transport);

  // Create() over the libcurl transport configured from `options`.
  [[nodiscard]] static Result<std::unique_ptr<AuthorizeClient>> CreateWithCurl(
      AuthorizeClientOptions options,
      const Clock& clock,
      RandomSource& random,
      Scheduler& loop);

  // On the loop thread, or once no thread runs the loop: fails what is
  // still pending there (as Shutdown), then stops the transport. Tasks
  // still queued on the loop for this client do nothing.
  ~AuthorizeClient() override;

  // Thread-safe; `done` and the attempt observer run on the loop. After
  // Shutdown, `done` runs at once on the caller's thread with a transient
  // Failure "SHUTDOWN". A product inside its 429 window gets a transient
  // Failure "RATE_LIMITED" with retry_after, no request.
  void Authorize(const AuthorizeRequest& request, Callback done) override;

  void SetAttemptObserver(AttemptObserver observer) override;

  // Fails every pending call ("SHUTDOWN") and cancels its backoff timer on
  // the loop, then aborts in-flight transfers and stops the transport
  // (which may block: the engine calls this on its worker). On the loop it
  // fails the calls at once; on another thread, while the loop runs, it
  // posts that and waits up to `timeout`. Not from inside a `done`.
  void Shutdown(std::chrono::milliseconds timeout) override;

  // The server-minus-local clock offset learnt so far, in seconds.
  long long clock_offset_seconds() const { return clock_offset_.load(); }

 private:
  struct Call {
    AuthorizeRequest request;
    std::string body;
    Callback done;
    RetryState retry;
    int attempts = 0;
    Scheduler::TimerId backoff = 0;  // the pending retry's timer, if any
  };

  AuthorizeClient(AuthorizeClientOptions options,
                  Endpoint endpoint,
                  const Clock& clock,
                  RandomSource& random,
                  Scheduler& loop,
                  std::unique_ptr<HttpTransport> transport);

  // `fn` as a loop task that does nothing once the client is gone.
  template <typename Fn>
  std::function<void()> Guarded(Fn fn) const {
    return [alive = std::weak_ptr<const char>(alive_), fn = std::move(fn)] {
      if (!alive.expired()) {
        fn();
      }
    };
  }

  // Loop thread only, from here on.
  void Start(std::uint64_t id, Call call);
  void Attempt(std::uint64_t id);
  void RetryAfter(std::uint64_t id, std::chrono::milliseconds delay);
  void FailAll();
  void OnAnswer(std::uint64_t id, const SentRequest& sent, TransportResult r);
  void Finish(std::uint64_t id, Outcome outcome);
  void LearnClockOffset(const HttpResponse& response);
  void Report(const Call& call,
              const Outcome& outcome,
              const TransportResult& answer);

  const AuthorizeClientOptions options_;
  const Endpoint endpoint_;
  const RetryPolicy policy_;
  const Clock& clock_;
  RandomSource& random_;
  Scheduler& loop_;
  std::unique_ptr<HttpTransport> transport_;
  RateLimitGate gate_;
  std::atomic<long long> clock_offset_{0};
  std::atomic<bool> shut_down_{false};
  std::atomic<std::uint64_t> next_id_{1};
  std::map<std::uint64_t, Call> calls_;  // loop only
  bool budget_low_logged_ = false;       // loop only
  std::mutex observer_mutex_;
  AttemptObserver observer_;  // guarded by observer_mutex_
  // Expires with the client: loop tasks and timers check it (Guarded).
  const std::shared_ptr<const char> alive_ = std::make_shared<const char>();
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_AUTHORIZE_CLIENT_H_
