// The table of upstream.md §4 as a pure function over (HTTP status, code).
//
// Codes of the seed page that §4 does not name (they belong to other
// endpoints) follow the seed's own "Retry?" column, so the agent never
// retries what the vendor says will not change; only codes the seed does not
// know at all are kUnknown (transient, logged as a bug). docs/upstream.md
// lists the decisions.
#ifndef GG_AGENT_UPSTREAM_CLASSIFY_H_
#define GG_AGENT_UPSTREAM_CLASSIFY_H_

#include <string_view>

#include "agent/upstream/types.h"

namespace gg::upstream {

enum class AnswerKind {
  kUnsignedDenial,  // 404 LICENSE_NOT_FOUND / PRODUCT_NOT_FOUND: a verdict
  kFailure,         // see `failure_class`
};

enum class ClockFix {
  kNone,
  kResyncFromDate,  // SIGNATURE_EXPIRED: offset from `Date`, fresh nonce
  kFreshNonce,      // NONCE_REUSED: fresh nonce only
};

struct Classification {
  AnswerKind kind = AnswerKind::kFailure;
  FailureClass failure_class = FailureClass::kUnknown;
  bool credentials_rejected = false;  // 401/403 credential family
  bool rate_limited = false;          // 429: opens the per-product window
  ClockFix clock_fix = ClockFix::kNone;
};

// `code` is the standard envelope's error.code ("" when the body had none).
Classification Classify(int status, std::string_view code);

// Whether a failure of this class may be retried (with backoff) at all.
bool IsRetriable(FailureClass failure_class);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_CLASSIFY_H_
