#include "agent/upstream/classify.h"

#include <array>

namespace gg::upstream {
namespace {

struct Row {
  std::string_view code;
  FailureClass failure_class;
  bool credentials_rejected;
};

constexpr FailureClass kMisconf = FailureClass::kMisconfiguration;
constexpr FailureClass kRequest = FailureClass::kRequestError;
constexpr FailureClass kTransient = FailureClass::kTransient;

// Every code of seeds/api-errors.txt (plus RATE_LIMIT_EXCEEDED from the
// summary page) except the clock codes and the 404 verdicts, handled below.
constexpr std::array kRows = {
    // §4: credentials (AGENT_UNAUTHORIZED when nothing is cached).
    Row{"UNAUTHORIZED", kMisconf, true},
    Row{"SIGNATURE_REQUIRED", kMisconf, true},
    Row{"INVALID_SIGNATURE", kMisconf, true},
    Row{"FORBIDDEN", kMisconf, true},
    Row{"API_KEY_NO_PERMISSIONS", kMisconf, true},
    Row{"PERMISSION_DENIED", kMisconf, true},
    Row{"INSUFFICIENT_SCOPE", kMisconf, true},
    Row{"APIKEY_NOT_ALLOWED", kMisconf, true},
    Row{"CSRF_BLOCKED", kMisconf, true},
    // Seed, not in §4: a JWT code; the agent has no JWT to refresh.
    Row{"EXPIRED_TOKEN", kMisconf, true},
    // §4: server misconfiguration (AGENT_OFFLINE).
    Row{"SIGNING_NOT_CONFIGURED", kMisconf, false},
    Row{"CONFIG_ERROR", kMisconf, false},
    Row{"DATABASE_ERROR", kMisconf, false},
    // §4: transient.
    Row{"INTERNAL", kTransient, false},
    Row{"SIGNING_UNAVAILABLE", kTransient, false},
    Row{"RATE_LIMIT_UNAVAILABLE", kTransient, false},
    Row{"RATE_LIMITED", kTransient, false},
    Row{"RATE_LIMIT_EXCEEDED", kTransient, false},
    Row{"PRODUCT_RATE_LIMITED", kTransient, false},
    // §4: request errors.
    Row{"VALIDATION_ERROR", kRequest, false},
    Row{"BAD_REQUEST", kRequest, false},
    Row{"NULL_CONSTRAINT", kRequest, false},
    // Seed codes of other endpoints, all "Retry? no": the same request gets
    // the same answer, so they are request errors (never retried).
    Row{"BAD_IDEMPOTENCY_KEY", kRequest, false},
    Row{"NO_FILE", kRequest, false},
    Row{"NO_ACTIVE_ORG", kRequest, false},
    Row{"MISSING_HOSTNAME", kRequest, false},
    Row{"ENDPOINT_DISABLED", kRequest, false},
    Row{"CONFLICT", kRequest, false},
    Row{"IDEMPOTENCY_KEY_REUSE", kRequest, false},
    Row{"CLOSED", kRequest, false},
    Row{"LICENSE_NOT_OWNED", kRequest, false},
    Row{"GONE", kRequest, false},
    Row{"STOREFRONT_NOT_SETUP", kRequest, false},
    Row{"STRIPE_NOT_READY", kRequest, false},
    Row{"TARGET_LICENSE_REQUIRED", kRequest, false},
    Row{"DNS_NOT_FOUND", kRequest, false},
    Row{"TOKEN_MISMATCH", kRequest, false},
    // 404s other than the two license verdicts: the base URL points at the
    // wrong place, or the resource is not ours. Not retried.
    Row{"NOT_FOUND", kMisconf, false},
    Row{"USER_NOT_FOUND", kMisconf, false},
    Row{"LISTING_NOT_FOUND", kMisconf, false},
    Row{"STOREFRONT_NOT_FOUND", kMisconf, false},
    Row{"ORG_NOT_FOUND", kMisconf, false},
    // End-user portal 403s: a credential that may not authorize.
    Row{"USER_BANNED", kMisconf, true},
    Row{"LICENSE_INACTIVE", kMisconf, true},
    Row{"LIMIT_REACHED", kMisconf, true},
    // Server-side states the seed says not to retry.
    Row{"STAGING_BILLING_DISABLED", kMisconf, false},
    // "n/a — server-side retry": nothing for us to fix; treat as a hiccup.
    Row{"WEBHOOK_ERROR", kTransient, false},
};

}  // namespace

Classification Classify(int status, std::string_view code) {
  Classification c;
  if (status == 404 &&
      (code == "LICENSE_NOT_FOUND" || code == "PRODUCT_NOT_FOUND")) {
    c.kind = AnswerKind::kUnsignedDenial;
    return c;
  }
  if (code == "SIGNATURE_EXPIRED" || code == "NONCE_REUSED") {
    c.failure_class = FailureClass::kClock;
    c.clock_fix = code == "SIGNATURE_EXPIRED" ? ClockFix::kResyncFromDate
                                              : ClockFix::kFreshNonce;
    return c;
  }
  c.rate_limited = status == 429;
  for (const Row& row : kRows) {
    if (row.code == code) {
      c.failure_class = row.failure_class;
      c.credentials_rejected = row.credentials_rejected;
      return c;
    }
  }
  // No code we know (or no envelope at all): gateway statuses are transient
  // as §4 says; anything else is a bug to log, retried as transient.
  if (status == 429 || status == 502 || status == 503 || status == 504 ||
      (status == 500 && code.empty())) {
    c.failure_class = FailureClass::kTransient;
  } else {
    c.failure_class = FailureClass::kUnknown;
  }
  return c;
}

bool IsRetriable(FailureClass failure_class) {
  return failure_class == FailureClass::kTransient ||
         failure_class == FailureClass::kUnknown;
}

}  // namespace gg::upstream
