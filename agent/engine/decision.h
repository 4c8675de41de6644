// The authorize decision of spec/agent.md §3 as a pure function.
//
// Given what is cached for one (productId, licenseKey), the request, the
// upstream outcome (or "not asked yet"), estimatedNow and the rollback flag,
// Decide() returns either the answer or "ask upstream". It does no I/O,
// reads no clock and allocates only for the strings it returns, so the
// engine calls it on the cached path of every authorize. Thread-safe.
#ifndef GG_AGENT_ENGINE_DECISION_H_
#define GG_AGENT_ENGINE_DECISION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/upstream/types.h"
#include "platform/clock.h"

namespace gg::agent {

enum class Source { kOnline, kCache, kOffline, kLocal };

// "online", "cache", "offline", "local" (ipc.md "Verdicts").
std::string_view SourceName(Source source);

// The agent's own reason codes (ipc.md).
inline constexpr std::string_view kAgentOffline = "AGENT_OFFLINE";
inline constexpr std::string_view kOfflineGraceExpired =
    "OFFLINE_GRACE_EXPIRED";
inline constexpr std::string_view kClockTampered = "CLOCK_TAMPERED";
inline constexpr std::string_view kAgentUnauthorized = "AGENT_UNAUTHORIZED";
inline constexpr std::string_view kConcurrencyLimitExceeded =
    "CONCURRENCY_LIMIT_EXCEEDED";

// The policy values of agent.md §2 that the decision uses; the signed
// policy of a cached verdict overrides the first three per license.
struct DecisionOptions {
  long long cache_ttl_seconds = 300;
  long long deny_cache_seconds = 60;
  long long offline_grace_seconds = 259200;
  std::optional<int> max_concurrent_sessions;  // nullopt: no local limit
};

// A verified signed verdict held in memory for one key.
struct CachedVerdict {
  upstream::Verdict verdict;  // signed_material is set
  std::string hwid;           // the hwid of its signed request body
  // Where its age counts from (Unix seconds): estimatedNow at receipt for
  // one received in this run; for one loaded from disk, its signed time
  // (SignedIssuedAt), which the row's unsigned received_at may only make
  // older, never younger.
  long long received_at = 0;
};

// Why a request gets an error answer rather than a verdict. The engine
// names no wire code: the bridge (service/) maps these onto ipc.md's.
enum class RequestErrorCode : std::size_t {
  kValidation,       // a field of the request is wrong
  kSessionNotFound,  // unknown, ended, or not the caller's
  kRateLimited,      // this uid asked for too many unknown keys
  kInternal,         // a session could not be opened
};
inline constexpr std::size_t kRequestErrorCodeCount = 4;

// An answer that is not a verdict: a bad request (ipc.md "Errors").
struct RequestError {
  RequestErrorCode code = RequestErrorCode::kInternal;
  std::string message;
  std::vector<upstream::FieldDetail> details;
  std::optional<long long> retry_after_seconds = std::nullopt;  // RATE_LIMITED
};

struct Decision {
  bool allow = false;
  std::string reason_code;  // empty on allow
  std::string message;
  Source source = Source::kLocal;
  std::optional<UnixTime> effective_expires_at;
  std::optional<UnixTime> grace_ends_at;  // set on offline allows only
  std::string license_id;
  std::optional<RequestError> error;  // set: an error answer, allow false
  std::string session_id;             // set by the engine on an allow
};

struct DecisionInput {
  std::string_view product_id;
  std::string_view license_key;
  std::string_view hwid;  // this machine's hwid for product_id
  // The cached verdict for the key or null. One signed for another hwid is
  // ignored (a verdict belongs to the machine that asked for it).
  const CachedVerdict* cached = nullptr;
  // Open local sessions for the key, not counting the one being decided.
  int local_sessions = 0;
  // Null: upstream not asked yet (steps 1-4 only, then "ask upstream").
  // Set: the outcome to decide with (a deadline passed is a transient
  // Failure "TIMEOUT").
  const upstream::Outcome* outcome = nullptr;
  WallTime estimated_now;
  bool clock_rollback = false;
};

// nullopt only when `outcome` is null and steps 2-4 leave the request to
// upstream (step 5). Otherwise the answer, or an error answer (step 6's
// request error). Step 1 is the caller's, once per ask, before any state
// exists for the key: `input` holds a key ValidateAuthorize accepted.
std::optional<Decision> Decide(const DecisionInput& input,
                               const DecisionOptions& options);

// The refresh interval of a key (signed heartbeatSeconds, else
// cacheTtlSeconds), at least 1 s.
long long RefreshIntervalSeconds(const CachedVerdict* cached,
                                 const DecisionOptions& options);

// When the server says it issued the verdict: its signed serverTime, else
// the signed X-GG-Response-Timestamp; nullopt when neither is there (or
// the verdict is unsigned).
std::optional<UnixTime> SignedIssuedAt(const upstream::Verdict& verdict);

// The newest time signed into the verdict (serverTime or the response
// timestamp): a floor for the agent's clock that no file edit can lower.
std::optional<UnixTime> NewestSignedTime(const upstream::Verdict& verdict);

// graceEndsAt of a cached signed allow: min(SignedIssuedAt +
// offlineGraceSeconds (signed, else config), effectiveExpiresAt), summed
// without overflow. Never from an unsigned time: a verdict with no signed
// time has no grace.
UnixTime GraceEndsAt(const CachedVerdict& cached,
                     const DecisionOptions& options);

// Step 1, the one check of what apps send (ipc/ checks only JSON types):
// productId a UUID, licenseKey 1-256 printable ASCII characters.
// Engine::Authorize runs it once, first, so that no state is made for a
// key that is not one; Decide() takes its word.
std::optional<RequestError> ValidateAuthorize(std::string_view product_id,
                                              std::string_view license_key);

// True when a signed verdict may be cached: a signed verdict, except a
// server CONCURRENCY_LIMIT_EXCEEDED denial, which depends on the moment's
// session count and would otherwise outlive the sessions that caused it.
bool IsCacheable(const upstream::Verdict& verdict);

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_DECISION_H_
