// LazyHttpTransport: an HttpTransport that makes the real one (libcurl's)
// on the first Send, not at start. curl_global_init loads OpenSSL's
// configuration and providers and the transport starts a thread: an idle
// agent, and the time to READY, pay none of that until an upstream call.
//
// A factory that fails answers that Send with a TransportError (kOther)
// and is tried again at the next Send: a transient failure, retried like a
// network error, never a verdict.
//
// Threads: Send and Shutdown are thread-safe; the factory runs on the
// thread of the first Send (the upstream client's loop: once, it loads
// libcurl and starts the transport's thread; no network I/O).
#ifndef GG_AGENT_UPSTREAM_LAZY_TRANSPORT_H_
#define GG_AGENT_UPSTREAM_LAZY_TRANSPORT_H_

#include <functional>
#include <memory>
#include <mutex>

#include "agent/upstream/http_transport.h"
#include "platform/result.h"

namespace gg::upstream {

class LazyHttpTransport final : public HttpTransport {
 public:
  using Factory = std::function<Result<std::unique_ptr<HttpTransport>>()>;
  explicit LazyHttpTransport(Factory factory) : factory_(std::move(factory)) {}

  void Send(HttpRequest request, Callback done) override;
  void Shutdown() override;

 private:
  std::mutex mutex_;
  Factory factory_;                      // guarded by mutex_
  std::unique_ptr<HttpTransport> real_;  // guarded by mutex_ until set
  bool shut_down_ = false;               // guarded by mutex_
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_LAZY_TRANSPORT_H_
