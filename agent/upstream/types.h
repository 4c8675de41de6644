// The upstream client's vocabulary: what the agent asks the GeckoGuard API
// and the typed outcome it gets back (spec/upstream.md §1–§4).
//
// Everything the real API might change (field names, signing) is parsed in
// agent/upstream; the rest of the agent sees only these types.
#ifndef GG_AGENT_UPSTREAM_TYPES_H_
#define GG_AGENT_UPSTREAM_TYPES_H_

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "platform/clock.h"

namespace gg::upstream {

// One authorize call's input; serialised to the body of upstream.md §1.
struct AuthorizeRequest {
  std::string product_id;
  std::string license_key;
  std::string hwid;
  int sessions = 1;  // local sessions for this key, counting the one opening
  std::string instance_id;
};

// The server's signed `policy` object; absent fields fall back to config.
struct Policy {
  std::optional<int> max_concurrent_sessions;
  std::optional<long long> offline_grace_seconds;
  std::optional<long long> heartbeat_seconds;
};

// The exact bytes a verdict was signed over, kept so a cached verdict can be
// verified again whenever it is loaded (upstream.md §3).
struct SignedMaterial {
  std::string request_nonce;
  std::string request_body;
  int status = 0;
  std::string response_timestamp;  // X-GG-Response-Timestamp, as received
  std::string response_signature;  // X-GG-Response-Signature, base64
  std::string response_body;
};

// A license verdict: the 200 allow or the 403 license envelope (signed), or
// a 404 LICENSE_NOT_FOUND / PRODUCT_NOT_FOUND (unsigned, never cached).
struct Verdict {
  bool allow = false;
  std::string reason_code;  // empty on allow
  std::string message;
  std::string license_id;
  std::string product_id;
  // Whole seconds, signed 64-bit: "9999-12-31T23:59:59Z" fits (a WallTime
  // would wrap past 2262).
  std::optional<UnixTime> effective_expires_at;
  std::optional<UnixTime> server_time;
  Policy policy;
  std::optional<SignedMaterial> signed_material;  // nullopt: unsigned 404
  std::string request_id;                         // x-request-id
};

// The classes of upstream.md §4 for answers that are not verdicts.
enum class FailureClass {
  kClock,             // SIGNATURE_EXPIRED / NONCE_REUSED after its one retry
  kTransient,         // 5xx, 429, network, TLS, bad body, bad signature
  kMisconfiguration,  // 401/403 family (credentials) or 500 config family
  kRequestError,      // 400 VALIDATION_ERROR, BAD_REQUEST, NULL_CONSTRAINT
  kUnknown,           // a code not in the seeds: transient, logged as a bug
};

struct FieldDetail {
  std::string field;
  std::string message;
};

struct Failure {
  FailureClass failure_class = FailureClass::kTransient;
  int http_status = 0;  // 0 when no HTTP answer arrived
  std::string code;     // the server's error.code, or a local code such as
                        // "NETWORK", "TIMEOUT", "TLS", "BAD_RESPONSE",
                        // "BAD_SIGNATURE", "UNSIGNED"
  std::string message;
  std::string request_id;
  std::vector<FieldDetail> details;  // VALIDATION_ERROR details
  std::optional<std::chrono::seconds> retry_after;
  // For kMisconfiguration: true for the 401/403 credential family (the app
  // then gets AGENT_UNAUTHORIZED), false for the 500 family (AGENT_OFFLINE).
  bool credentials_rejected = false;
};

using Outcome = std::variant<Verdict, Failure>;

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_TYPES_H_
