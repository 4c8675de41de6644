// Reading the authorize answer (upstream.md §2–§4). Pure: bytes in, typed
// Outcome out; no logging, no clock. The client logs what these return.
#ifndef GG_AGENT_UPSTREAM_RESPONSE_H_
#define GG_AGENT_UPSTREAM_RESPONSE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/upstream/http_transport.h"
#include "agent/upstream/types.h"
#include "platform/clock.h"
#include "platform/result.h"

namespace gg::upstream {

// The request an answer belongs to: its signature binds both.
struct SentRequest {
  std::string nonce;
  std::string body;
};

// The outcome of one attempt's HTTP answer: a Verdict (signed allow/deny, or
// the unsigned 404 denial) or a classified Failure. Unsigned or badly
// signed verdicts become transient Failures "UNSIGNED" / "BAD_SIGNATURE";
// non-JSON, oversized or shapeless bodies, and error envelopes whose code
// is not well formed (IsWellFormedCode), "BAD_RESPONSE".
// `public_keys` are raw 32-byte Ed25519 keys.
// An API error code as the API writes them: 1-64 characters of A-Z, 0-9
// and '_'.
bool IsWellFormedCode(std::string_view code);

Outcome InterpretResponse(const HttpResponse& response,
                          const SentRequest& sent,
                          const std::vector<std::string>& public_keys);

// A transport error as the transient Failure of §4 ("NETWORK", "TIMEOUT",
// "TLS", "BAD_RESPONSE", "SHUTDOWN").
Failure FailureFromTransport(const TransportError& error);

// Parses the body of material whose signature has ALREADY been verified
// (the VerdictStore verifies every row it returns). Error "BAD_RESPONSE"
// when the body is not a verdict. Never use it on material from elsewhere.
[[nodiscard]] Result<Verdict> ParseVerifiedMaterial(
    const SignedMaterial& material);

// Verifies `material` with any of `public_keys` and parses its body.
// Errors "BAD_SIGNATURE" (missing or failing signature) and "BAD_RESPONSE"
// (body is not a verdict).
[[nodiscard]] Result<Verdict> VerdictFromSignedMaterial(
    const SignedMaterial& material,
    const std::vector<std::string>& public_keys);

// RFC 3339 date-time ("2027-01-01T00:00:00Z", fractions and ±hh:mm
// offsets accepted), in whole seconds (a fraction is dropped), any year
// 0000-9999. nullopt when malformed.
std::optional<UnixTime> ParseRfc3339(std::string_view text);

// An HTTP `Date` header (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<WallTime> ParseHttpDate(std::string_view text);

// `Retry-After` in delta-seconds; nullopt when absent or not a number.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view text);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_RESPONSE_H_
