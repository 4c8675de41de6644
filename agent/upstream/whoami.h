// GET {baseUrl}/v1/whoami with X-Api-Key, unsigned: the seed's diagnostic
// route (upstream.md §5), used by `gg-agent doctor` to check the API key.
// The agent itself never needs it. Pure: request in, answer out.
#ifndef GG_AGENT_UPSTREAM_WHOAMI_H_
#define GG_AGENT_UPSTREAM_WHOAMI_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/upstream/http_transport.h"
#include "agent/upstream/types.h"
#include "platform/result.h"
#include "platform/secret.h"

namespace gg::upstream {

inline constexpr char kWhoamiSuffix[] = "/v1/whoami";
// The permission an agent's key needs (seeds: PERMISSION_DENIED names it).
inline constexpr char kAuthorizePermission[] = "license:authorize";

// The answer shape assumed (docs/upstream.md): 200
// {"ok":true,"apiKeyId":"<id>","permissions":["license:authorize", ...]}.
struct WhoamiInfo {
  std::string api_key_id;
  std::vector<std::string> permissions;
  std::string request_id;
};

// The GET for `base_url` (same rules as AuthorizeEndpoint). Errors
// "INVALID_BASE_URL".
[[nodiscard]] Result<HttpRequest> BuildWhoamiRequest(std::string_view base_url,
                                                     const Secret& api_key);

// 200 with the shape above: WhoamiInfo. Anything else: the classified
// Failure of the standard envelope (UNAUTHORIZED, API_KEY_NO_PERMISSIONS,
// ...), or "BAD_RESPONSE" for a 200 of another shape.
std::variant<WhoamiInfo, Failure> InterpretWhoami(const HttpResponse& response);

}  // namespace gg::upstream

#endif  // GG_AGENT_UPSTREAM_WHOAMI_H_
