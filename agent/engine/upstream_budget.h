// UpstreamBudget: how many upstream requests for keys the agent has no
// verdict for each local uid may cause (issue 10 point 9). A token bucket
// per uid: `per_minute` tokens at most, refilled evenly over a minute. An
// unprivileged user who invents keys spends only his own budget, so he can
// neither trip the server's per-product rate limit for every app on the
// machine nor make the agent hold state for an unbounded number of keys.
//
// Not thread-safe: the engine's loop thread only. Memory is bounded by the
// uids with a partly spent bucket (a full bucket is the same as none and is
// dropped).
#ifndef GG_AGENT_ENGINE_UPSTREAM_BUDGET_H_
#define GG_AGENT_ENGINE_UPSTREAM_BUDGET_H_

#include <cstddef>
#include <optional>
#include <unordered_map>

#include "platform/clock.h"

namespace gg::agent {

class UpstreamBudget {
 public:
  explicit UpstreamBudget(long long per_minute) : per_minute_(per_minute) {}

  // Takes one token for `uid` at `now`. nullopt when taken; otherwise the
  // whole seconds until a token is there again (at least 1).
  std::optional<long long> TryTake(long long uid, MonoTime now);

  // A reload: buckets keep their level, capped at the new size.
  void set_per_minute(long long per_minute) { per_minute_ = per_minute; }
  std::size_t tracked_uids() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    MonoTime updated;
  };
  double Refill(Bucket& b, MonoTime now) const;
  void DropFullBuckets(MonoTime now);

  long long per_minute_;
  std::unordered_map<long long, Bucket> buckets_;
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_UPSTREAM_BUDGET_H_
