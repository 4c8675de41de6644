// The little URL handling the config needs: a shape check and the
// userinfo ("user:password@") that a proxy URL may carry and that must
// never be printed. Pure functions; internal to gg_config.
#ifndef GG_AGENT_CONFIG_URL_H_
#define GG_AGENT_CONFIG_URL_H_

#include <initializer_list>
#include <string>
#include <string_view>

namespace gg::config::internal {

// "scheme://host[:port][/path]" with one of `schemes`, a non-empty host and
// no spaces or control characters.
bool IsUrlWithScheme(std::string_view url,
                     std::initializer_list<std::string_view> schemes);

// True when the URL's host is a loopback host: "localhost" (any case),
// 127.0.0.0/8 in dotted-quad form, or "[::1]". Plain http:// is allowed only
// for these, where no one else can read or forge the traffic.
bool IsLoopbackUrl(std::string_view url);

// The "user:password" part before '@' in the authority; empty if none.
std::string_view UrlUserinfo(std::string_view url);

// `url` with its userinfo replaced by a mask ("http://****@proxy:3128").
std::string MaskUrlUserinfo(std::string_view url);

}  // namespace gg::config::internal

#endif  // GG_AGENT_CONFIG_URL_H_
