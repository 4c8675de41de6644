// A scripted HttpTransport: each Send() takes the next queued responder,
// records the request, and answers synchronously inside Send() (which the
// HttpTransport contract allows). A responder sees the request, so it can
// sign a verdict over the request's nonce and body like the real server.
// With nothing queued, Send answers a kConnect error.
#ifndef GG_TESTS_FAKES_FAKE_HTTP_TRANSPORT_H_
#define GG_TESTS_FAKES_FAKE_HTTP_TRANSPORT_H_

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agent/upstream/http_transport.h"
#include "platform/clock.h"
#include "platform/signing.h"

namespace gg::testing {

class FakeHttpTransport final : public upstream::HttpTransport {
 public:
  using Responder =
      std::function<upstream::TransportResult(const upstream::HttpRequest&)>;

  void Push(Responder responder) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(responder));
  }

  // A plain answer (no signature).
  void PushResponse(int status,
                    std::string body,
                    std::map<std::string, std::string> headers = {}) {
    Push([=](const upstream::HttpRequest&) -> upstream::TransportResult {
      upstream::HttpResponse r;
      r.status = status;
      r.body = body;
      r.headers = headers;
      return r;
    });
  }

  void PushError(upstream::TransportErrorKind kind) {
    Push([=](const upstream::HttpRequest&) -> upstream::TransportResult {
      return tl::unexpected(upstream::TransportError{kind, "scripted"});
    });
  }

  // An answer signed with `seed` over the request it answers (§3).
  void PushSigned(std::string seed,
                  int status,
                  std::string body,
                  std::string response_ts = "1763790000") {
    Push([=](const upstream::HttpRequest& req) -> upstream::TransportResult {
      upstream::HttpResponse r;
      r.status = status;
      r.body = body;
      r.headers["x-request-id"] = "req-signed";
      r.headers["x-gg-response-timestamp"] = response_ts;
      auto sig = signing::SignResponse(seed, HeaderOf(req, "X-GG-Nonce"),
                                       req.body, status, response_ts, body);
      r.headers["x-gg-response-signature"] = sig ? *sig : "";
      return r;
    });
  }

  void Send(upstream::HttpRequest request, Callback done) override {
    Responder responder;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      if (shut_down_) {
        responder = [](const upstream::HttpRequest&) {
          return upstream::TransportResult(
              tl::unexpected(upstream::TransportError{
                  upstream::TransportErrorKind::kShutdown, "shut down"}));
        };
      } else if (!script_.empty()) {
        responder = std::move(script_.front());
        script_.pop_front();
      }
    }
    if (!responder) {
      done(tl::unexpected(upstream::TransportError{
          upstream::TransportErrorKind::kConnect, "no scripted response"}));
      return;
    }
    done(responder(request));
  }

  void Shutdown() override {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
  }

  std::vector<upstream::HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

  static std::string HeaderOf(const upstream::HttpRequest& req,
                              const std::string& name) {
    for (const auto& [n, v] : req.headers) {
      if (n == name) {
        return v;
      }
    }
    return "";
  }

 private:
  mutable std::mutex mutex_;
  std::deque<Responder> script_;
  std::vector<upstream::HttpRequest> requests_;
  bool shut_down_ = false;
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_HTTP_TRANSPORT_H_
