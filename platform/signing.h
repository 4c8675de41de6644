// The two signed strings of the GeckoGuard API (spec/upstream.md §1 and §3),
// shared by the agent's upstream client and gg-devserver so both speak the
// same bytes; ../shared/vectors pins them to an independent implementation.
//
// Only agent/upstream calls these on the agent side, so a change of the real
// API's signing stays a change in one module plus this file.
#ifndef GG_PLATFORM_SIGNING_H_
#define GG_PLATFORM_SIGNING_H_

#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

namespace gg::signing {

// METHOD\nPATH\nTS\nNONCE\nBODY_SHA256_HEX, no trailing newline.
std::string CanonicalRequest(std::string_view method,
                             std::string_view path,
                             std::string_view timestamp,
                             std::string_view nonce,
                             std::string_view body_sha256_hex);

// Lowercase hex HMAC-SHA256 of the canonical request, keyed with `secret`.
[[nodiscard]] Result<std::string> RequestSignature(std::string_view secret,
                                                   std::string_view method,
                                                   std::string_view path,
                                                   std::string_view timestamp,
                                                   std::string_view nonce,
                                                   std::string_view body);

// gg-response-v1\nNONCE\nREQ_SHA\nSTATUS\nTS\nRESP_SHA, no trailing newline.
[[nodiscard]] Result<std::string> ResponseSignedString(
    std::string_view request_nonce,
    std::string_view request_body,
    int status,
    std::string_view response_timestamp,
    std::string_view response_body);

// Base64 Ed25519 signature of the response signed string with `seed`.
[[nodiscard]] Result<std::string> SignResponse(std::string_view seed,
                                               std::string_view request_nonce,
                                               std::string_view request_body,
                                               int status,
                                               std::string_view response_ts,
                                               std::string_view response_body);

// True when `signature_b64` verifies with any of `public_keys` (raw 32-byte
// keys). Malformed base64 or key sizes are simply false.
bool VerifyResponse(const std::vector<std::string>& public_keys,
                    std::string_view signature_b64,
                    std::string_view request_nonce,
                    std::string_view request_body,
                    int status,
                    std::string_view response_ts,
                    std::string_view response_body);

}  // namespace gg::signing

#endif  // GG_PLATFORM_SIGNING_H_
