// Building the signed authorize request (upstream.md §1), and reading one
// back. Pure: no clock, no randomness, no I/O; the caller passes the
// timestamp and nonce, so the vectors can be reproduced exactly.
#ifndef GG_AGENT_UPSTREAM_REQUEST_H_
#define GG_AGENT_UPSTREAM_REQUEST_H_

#include <string>
#include <string_view>

#include "agent/upstream/http_transport.h"
#include "agent/upstream/types.h"
#include "platform/result.h"
#include "platform/secret.h"

namespace gg::upstream {

inline constexpr char kAgentVersion[] = "0.1.0";
inline constexpr char kUserAgent[] = "gg-agent/0.1.0";
inline constexpr char kAuthorizeSuffix[] = "/v1/licenses/authorize";

// Where the authorize call goes: the full URL and the PATH that is signed.
struct Endpoint {
  std::string url;
  std::string path;
};

// Splits `base_url` ("https://host[:port][/prefix][/]") into the authorize
// URL and its signed path ("/prefix/v1/licenses/authorize"). Errors
// "INVALID_BASE_URL": not http(s), no host, or a query/fragment.
[[nodiscard]] Result<Endpoint> AuthorizeEndpoint(std::string_view base_url);

// The JSON body of §1, fields in the documented order, no spaces.
// Errors "VALIDATION_ERROR" when a field is not valid UTF-8.
[[nodiscard]] Result<std::string> AuthorizeBody(
    const AuthorizeRequest& request);

// The POST with the body as given and every header of §1.
// Errors from the HMAC (never expected with OpenSSL working).
[[nodiscard]] Result<HttpRequest> BuildSignedRequest(
    const Endpoint& endpoint,
    std::string body,
    const Secret& api_key,
    const Secret& signing_secret,
    long long unix_seconds,
    std::string_view nonce);

// The identity a signed request body was about: lets the engine check that a
// cached verdict belongs to this product, key and machine.
struct RequestIdentity {
  std::string product_id;
  std::string license_key;
  std::string hwid;
};

// Errors "BAD_REQUEST_BODY" when `body` is not JSON or lacks a field.
[[nodiscard]] Result<RequestIdentity> IdentityFromRequestBody(
    std::string_view body);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_REQUEST_H_
