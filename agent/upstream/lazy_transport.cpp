#include "agent/upstream/lazy_transport.h"

#include <optional>
#include <utility>

namespace gg::upstream {

void LazyHttpTransport::Send(HttpRequest request, Callback done) {
  HttpTransport* real = nullptr;
  std::optional<TransportError> error;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) {
      error =
          TransportError{TransportErrorKind::kShutdown, "transport shut down"};
    } else if (!real_) {
      auto made = factory_();
      if (made) {
        real_ = *std::move(made);
      } else {
        error = TransportError{
            TransportErrorKind::kOther,
            "HTTP transport unavailable: " + made.error().message};
      }
    }
    real = real_.get();
  }
  // Outside the lock: an answer may come inside Send.
  if (error) {
    done(tl::unexpected(*std::move(error)));
    return;
  }
  real->Send(std::move(request), std::move(done));
}

void LazyHttpTransport::Shutdown() {
  HttpTransport* real = nullptr;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    real = real_.get();  // never replaced once set, never made after this
  }
  if (real != nullptr) {
    real->Shutdown();
  }
}

}  // namespace gg::upstream
