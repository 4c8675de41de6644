#include "agent/upstream/authorize_client.h"

#include <future>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/upstream/http_transport_curl.h"
#include "agent/upstream/lazy_transport.h"

namespace gg::upstream {
namespace {

Failure LocalFailure(std::string code, std::string message) {
  Failure f;
  f.failure_class = FailureClass::kTransient;
  f.code = std::move(code);
  f.message = std::move(message);
  return f;
}

const char* ClassName(FailureClass c) {
  switch (c) {
    case FailureClass::kClock:
      return "clock";
    case FailureClass::kTransient:
      return "transient";
    case FailureClass::kMisconfiguration:
      return "misconfiguration";
    case FailureClass::kRequestError:
      return "request-error";
    case FailureClass::kUnknown:
      return "unknown";
  }
  return "?";
}

std::string OrDash(const std::string& s) {
  return s.empty() ? std::string("-") : s;
}

}  // namespace

Result<std::unique_ptr<AuthorizeClient>> AuthorizeClient::Create(
    AuthorizeClientOptions options,
    const Clock& clock,
    RandomSource& random,
    Scheduler& loop,
    std::unique_ptr<HttpTransport> transport) {
  auto endpoint = AuthorizeEndpoint(options.base_url);
  if (!endpoint) {
    return tl::unexpected(endpoint.error());
  }
  if (options.response_public_keys.empty()) {
    return MakeError(ErrorCode::kConfig, "no response public key");
  }
  if (options.api_key.empty() || options.signing_secret.empty()) {
    return MakeError(ErrorCode::kConfig, "API key and signing secret required");
  }
  if (options.max_attempts < 1 || !transport) {
    return MakeError(ErrorCode::kConfig, "max_attempts < 1 or no transport");
  }
  return std::unique_ptr<AuthorizeClient>(
      new AuthorizeClient(std::move(options), *std::move(endpoint), clock,
                          random, loop, std::move(transport)));
}

CurlTransportOptions TransportOptionsOf(const AuthorizeClientOptions& options) {
  CurlTransportOptions t;
  t.ca_file = options.ca_file;
  t.pinned_public_keys = options.pinned_public_keys;
  t.proxy = options.proxy;
  t.connect_timeout = options.connect_timeout;
  t.request_timeout = options.request_timeout;
  return t;
}

Result<std::unique_ptr<AuthorizeClient>> AuthorizeClient::CreateWithCurl(
    AuthorizeClientOptions options,
    const Clock& clock,
    RandomSource& random,
    Scheduler& loop) {
  const CurlTransportOptions transport_options = TransportOptionsOf(options);
  // Validate before starting a thread.
  if (auto endpoint = AuthorizeEndpoint(options.base_url); !endpoint) {
    return tl::unexpected(endpoint.error());
  }
  // libcurl (and OpenSSL's configuration with it) is initialised at the
  // first upstream call, not at start: READY and an idle agent skip it.
  auto transport = std::make_unique<LazyHttpTransport>(
      [transport_options]() { return CreateCurlTransport(transport_options); });
  return Create(std::move(options), clock, random, loop, std::move(transport));
}

AuthorizeClient::AuthorizeClient(AuthorizeClientOptions options,
                                 Endpoint endpoint,
                                 const Clock& clock,
                                 RandomSource& random,
                                 Scheduler& loop,
                                 std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      policy_{options_.max_attempts, options_.initial_backoff,
              options_.max_backoff},
      clock_(clock),
      random_(random),
      loop_(loop),
      transport_(std::move(transport)),
      gate_(clock) {}

AuthorizeClient::~AuthorizeClient() {
  // On the loop or with it stopped: nothing else touches the calls now.
  if (!shut_down_.exchange(true)) {
    FailAll();
  }
  transport_->Shutdown();  // idempotent; its late answers find no client
}

void AuthorizeClient::Authorize(const AuthorizeRequest& request,
                                Callback done) {
  if (shut_down_) {
    if (done) {
      done(LocalFailure("SHUTDOWN", "upstream client shut down"));
    }
    return;
  }
  auto call = std::make_shared<Call>();
  call->request = request;
  call->done = std::move(done);
  const std::uint64_t id = next_id_++;
  // Start() fails the call if a Shutdown got in between.
  loop_.Post(Guarded([this, id, call] { Start(id, std::move(*call)); }));
}

void AuthorizeClient::SetAttemptObserver(AttemptObserver observer) {
  std::lock_guard lock(observer_mutex_);
  observer_ = std::move(observer);
}

void AuthorizeClient::Report(const Call& call,
                             const Outcome& outcome,
                             const TransportResult& answer) {
  AttemptReport report = MakeAttemptReport(call.request.product_id, outcome,
                                           call.request.license_key);
  if (answer) {
    report.rate_limit = ReadRateLimitHeaders(*answer);
  }
  if (BudgetLow(report.rate_limit)) {
    if (!budget_low_logged_) {
      spdlog::warn(
          "upstream: rate-limit budget low ({}) after product={} "
          "request_id={}: more calls will be answered 429",
          DescribeBudget(report.rate_limit), call.request.product_id,
          OrDash(report.request_id));
    }
    budget_low_logged_ = true;
  } else if (!report.rate_limit.remaining.empty()) {
    budget_low_logged_ = false;
  }
  AttemptObserver observer;
  {
    std::lock_guard lock(observer_mutex_);
    observer = observer_;
  }
  if (observer) {
    observer(report);
  }
}

void AuthorizeClient::Shutdown(std::chrono::milliseconds timeout) {
  if (shut_down_.exchange(true)) {
    return;
  }
  // Fail every call on the loop (where their state lives), then stop the
  // network. Late transport answers find no call.
  if (loop_.InLoopThread()) {
    FailAll();
  } else {
    auto failed = std::make_shared<std::promise<void>>();
    std::future<void> failed_done = failed->get_future();
    loop_.Post(Guarded([this, failed] {
      FailAll();
      failed->set_value();
    }));
    if (failed_done.wait_for(timeout) != std::future_status::ready) {
      spdlog::warn("upstream: shutdown timed out waiting for pending calls");
    }
  }
  transport_->Shutdown();
}

void AuthorizeClient::FailAll() {
  while (!calls_.empty()) {
    loop_.Cancel(calls_.begin()->second.backoff);
    Finish(calls_.begin()->first,
           LocalFailure("SHUTDOWN", "upstream client shut down"));
  }
}

void AuthorizeClient::RetryAfter(std::uint64_t id,
                                 std::chrono::milliseconds delay) {
  auto it = calls_.find(id);
  if (it == calls_.end()) {
    return;
  }
  it->second.backoff =
      loop_.RunAfter(delay, Guarded([this, id] {
                       if (auto c = calls_.find(id); c != calls_.end()) {
                         c->second.backoff = 0;
                       }
                       Attempt(id);
                     }));
}

void AuthorizeClient::Start(std::uint64_t id, Call call) {
  if (shut_down_) {
    if (call.done) {
      call.done(LocalFailure("SHUTDOWN", "upstream client shut down"));
    }
    return;
  }
  // A new call inside the product's 429 window fails at once, no request.
  if (auto left = gate_.Remaining(call.request.product_id)) {
    Failure f = LocalFailure("RATE_LIMITED", "inside the Retry-After window");
    f.retry_after = std::chrono::ceil<std::chrono::seconds>(*left);
    spdlog::info(
        "upstream: authorize product={} not sent: rate-limit window, "
        "{} s left",
        call.request.product_id, f.retry_after->count());
    if (call.done) {
      call.done(std::move(f));
    }
    return;
  }
  auto body = AuthorizeBody(call.request);
  if (!body) {
    Failure f;
    f.failure_class = FailureClass::kRequestError;
    f.code = std::string(Name(body.error().code));
    f.message = body.error().message;
    if (call.done) {
      call.done(std::move(f));
    }
    return;
  }
  call.body = *std::move(body);
  calls_.emplace(id, std::move(call));
  Attempt(id);
}

void AuthorizeClient::Attempt(std::uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) {
    return;
  }
  Call& call = it->second;
  // A retry that would land in a window another call opened waits it out.
  if (auto left = gate_.Remaining(call.request.product_id)) {
    RetryAfter(id, *left);
    return;
  }
  auto nonce = RandomHex(16);
  if (!nonce) {
    Finish(id, LocalFailure("RANDOM", nonce.error().message));
    return;
  }
  const long long ts = UnixSeconds(clock_.Now()) + clock_offset_.load();
  auto request = BuildSignedRequest(endpoint_, call.body, options_.api_key,
                                    options_.signing_secret, ts, *nonce);
  if (!request) {
    Finish(id, LocalFailure(std::string(Name(request.error().code)),
                            request.error().message));
    return;
  }
  ++call.attempts;
  SentRequest sent{*nonce, call.body};
  transport_->Send(*std::move(request),
                   [this, id, sent = std::move(sent)](TransportResult r) {
                     // Answers come on the transport's thread: onto the loop.
                     loop_.Post(Guarded([this, id, sent, r = std::move(r)] {
                       OnAnswer(id, sent, r);
                     }));
                   });
}

void AuthorizeClient::LearnClockOffset(const HttpResponse& response) {
  auto server = ParseHttpDate(response.Header("date"));
  if (!server) {
    spdlog::warn("upstream: SIGNATURE_EXPIRED without a usable Date header");
    return;
  }
  const long long offset = UnixSeconds(*server) - UnixSeconds(clock_.Now());
  clock_offset_ = offset;
  spdlog::warn("upstream: clock off from the server by {} s; correcting",
               offset);
}

void AuthorizeClient::OnAnswer(std::uint64_t id,
                               const SentRequest& sent,
                               TransportResult r) {
  auto it = calls_.find(id);
  if (it == calls_.end()) {
    return;  // finished meanwhile (shutdown)
  }
  Call& call = it->second;
  Outcome outcome =
      r ? InterpretResponse(*r, sent, options_.response_public_keys)
        : Outcome(FailureFromTransport(r.error()));
  if (!shut_down_) {
    Report(call, outcome, r);
  }
  if (std::holds_alternative<Verdict>(outcome)) {
    Finish(id, std::move(outcome));
    return;
  }
  Failure& failure = std::get<Failure>(outcome);
  if (failure.code == "UNSIGNED" || failure.code == "BAD_SIGNATURE") {
    spdlog::warn(
        "security: upstream verdict rejected ({}): {} status={} "
        "request_id={}",
        failure.code, failure.message, failure.http_status,
        OrDash(failure.request_id));
  }
  if (failure.http_status == 429 && !failure.retry_after) {
    failure.retry_after = options_.default_retry_after;
  }
  if (failure.retry_after && *failure.retry_after > options_.max_retry_after) {
    // Nobody signed the header: it may slow the agent, never stop it.
    spdlog::warn(
        "upstream: product={} status={} asked to wait {} s (Retry-After, "
        "unsigned); waiting at most {} s (server.maxRetryAfterSeconds) "
        "request_id={}",
        call.request.product_id, failure.http_status,
        failure.retry_after->count(), options_.max_retry_after.count(),
        OrDash(failure.request_id));
    failure.retry_after =
        CapRetryAfter(failure.retry_after, options_.max_retry_after);
  }
  if (failure.http_status == 429) {
    gate_.Block(call.request.product_id, *failure.retry_after);
  }
  if (failure.code == "SIGNATURE_EXPIRED" && !call.retry.clock_resync_used &&
      r) {
    LearnClockOffset(*r);
  }
  const RetryDecision decision =
      DecideRetry(policy_, failure, call.retry, random_);
  if (decision.action == RetryAction::kGiveUp || shut_down_) {
    Finish(id, std::move(outcome));
    return;
  }
  spdlog::info(
      "upstream: authorize product={} attempt {} failed ({} {} status={} "
      "request_id={}); retry in {} ms",
      call.request.product_id, call.attempts, ClassName(failure.failure_class),
      failure.code, failure.http_status, OrDash(failure.request_id),
      decision.delay.count());
  if (decision.delay.count() == 0) {
    Attempt(id);
  } else {
    RetryAfter(id, decision.delay);
  }
}

void AuthorizeClient::Finish(std::uint64_t id, Outcome outcome) {
  auto it = calls_.find(id);
  if (it == calls_.end()) {
    return;
  }
  Call call = std::move(it->second);
  calls_.erase(it);
  if (const auto* v = std::get_if<Verdict>(&outcome)) {
    spdlog::info(
        "upstream: authorize product={} {} reason={} signed={} attempts={} "
        "request_id={}",
        call.request.product_id, v->allow ? "allow" : "deny",
        OrDash(v->reason_code), v->signed_material ? "yes" : "no",
        call.attempts, OrDash(v->request_id));
  } else {
    const auto& f = std::get<Failure>(outcome);
    if (f.failure_class == FailureClass::kUnknown) {
      spdlog::error(
          "upstream: unknown error code {} (status {}) request_id={}: a bug "
          "to report to GeckoGuard; treated as transient",
          OrDash(f.code), f.http_status, OrDash(f.request_id));
    }
    spdlog::warn(
        "upstream: authorize product={} failed: {} {} status={} attempts={} "
        "request_id={}: {}",
        call.request.product_id, ClassName(f.failure_class), f.code,
        f.http_status, call.attempts, OrDash(f.request_id), f.message);
  }
  if (call.done) {
    call.done(std::move(outcome));
  }
}

}  // namespace gg::upstream
