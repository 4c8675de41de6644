// UpstreamClient: the seam through which the agent asks the GeckoGuard API.
//
// The real client (authorize_client.h) signs, sends over an HttpTransport,
// verifies, classifies and retries per upstream.md §4; tests pass a fake.
#ifndef GG_AGENT_UPSTREAM_CLIENT_H_
#define GG_AGENT_UPSTREAM_CLIENT_H_

#include <functional>

#include "agent/upstream/types.h"

namespace gg::upstream {

class UpstreamClient {
 public:
  using Callback = std::function<void(Outcome)>;
  virtual ~UpstreamClient() = default;

  // Starts one authorize, retries included, and calls `done` exactly once
  // with the final outcome. Never blocks the caller. `done` runs on the
  // client's worker thread: the caller posts it to its own loop.
  virtual void Authorize(const AuthorizeRequest& request, Callback done) = 0;

  // Abandons retries and in-flight calls; each pending `done` still runs
  // once (with a transient Failure). Returns once none is outstanding or
  // `timeout` has passed.
  virtual void Shutdown(std::chrono::milliseconds timeout) = 0;
};

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_CLIENT_H_
