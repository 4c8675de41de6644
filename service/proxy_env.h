// Which proxy libcurl will use for the API, decided the way libcurl decides
// it (url.c: NO_PROXY first, then CURLOPT_PROXY, then <scheme>_proxy,
// then ALL_PROXY), so `gg-agent doctor` can say it, and so the agent can
// register credentials from the environment for log redaction. Pure: the
// environment comes in as a function.
#ifndef GG_SERVICE_PROXY_ENV_H_
#define GG_SERVICE_PROXY_ENV_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gg::service {

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

struct ProxyChoice {
  std::optional<std::string> url;  // nullopt: a direct connection
  // Where it came from: "server.proxy", "https_proxy", "HTTPS_PROXY",
  // "all_proxy", ...; or why there is none ("NO_PROXY" / "no_proxy" when
  // the host matched it).
  std::string source;
  std::string no_proxy;  // the NO_PROXY value consulted, "" if unset
};

// `scheme` "http" or "https"; `configured` is server.proxy.
ProxyChoice ChooseProxy(std::string_view scheme,
                        std::string_view host,
                        const std::optional<std::string>& configured,
                        const EnvLookup& env);

// libcurl's NO_PROXY matching: "*" matches every host; otherwise a comma
// separated list of names (a leading '.' ignored; a name matches itself and
// its subdomains, case-insensitively), IPv4 addresses and IPv4 CIDR blocks.
bool NoProxyMatches(std::string_view host, std::string_view no_proxy);

// The "user:password" of every proxy URL in the environment (http_proxy,
// https_proxy, all_proxy in both cases), for log::RegisterSecret.
std::vector<std::string> ProxyCredentialsFromEnv(const EnvLookup& env);

// The host of "scheme://[userinfo@]host[:port][/...]" ("[::1]" keeps its
// brackets off); "" when there is none.
std::string UrlHost(std::string_view url);

}  // namespace gg::service

#endif  // GG_SERVICE_PROXY_ENV_H_
