#include "service/proxy_env.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace gg::service {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::optional<unsigned> ParseIpv4(std::string_view s) {
  unsigned value = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.')
        return std::nullopt;
      s.remove_prefix(1);
    }
    unsigned octet = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), octet);
    if (ec != std::errc() || end == s.data() || octet > 255)
      return std::nullopt;
    s.remove_prefix(static_cast<std::size_t>(end - s.data()));
    value = (value << 8) | octet;
  }
  if (!s.empty())
    return std::nullopt;
  return value;
}

bool TokenMatches(std::string_view host, std::string_view token) {
  if (auto slash = token.find('/'); slash != std::string_view::npos) {
    auto net = ParseIpv4(token.substr(0, slash));
    auto addr = ParseIpv4(host);
    unsigned bits = 0;
    auto bits_text = token.substr(slash + 1);
    auto [end, ec] = std::from_chars(bits_text.data(),
                                     bits_text.data() + bits_text.size(), bits);
    if (!net || !addr || ec != std::errc() ||
        end != bits_text.data() + bits_text.size() || bits > 32)
      return false;
    const unsigned mask = bits == 0 ? 0u : ~0u << (32 - bits);
    return (*net & mask) == (*addr & mask);
  }
  if (!token.empty() && token.front() == '.')
    token.remove_prefix(1);
  if (token.empty())
    return false;
  const std::string h = Lower(host);
  const std::string t = Lower(token);
  if (h == t)
    return true;
  return h.size() > t.size() && h.ends_with(t) &&
         h[h.size() - t.size() - 1] == '.';
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0')
      return std::nullopt;
    return std::string(v);
  };
}

std::string UrlHost(std::string_view url) {
  auto scheme_end = url.find("://");
  std::string_view rest =
      scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos)
    rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    return close == std::string_view::npos
               ? ""
               : std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

bool NoProxyMatches(std::string_view host, std::string_view no_proxy) {
  no_proxy = Trim(no_proxy);
  if (no_proxy == "*")
    return true;
  while (!no_proxy.empty()) {
    auto comma = no_proxy.find(',');
    std::string_view token = Trim(no_proxy.substr(0, comma));
    if (TokenMatches(host, token))
      return true;
    if (comma == std::string_view::npos)
      break;
    no_proxy.remove_prefix(comma + 1);
  }
  return false;
}

ProxyChoice ChooseProxy(std::string_view scheme,
                        std::string_view host,
                        const std::optional<std::string>& configured,
                        const EnvLookup& env) {
  ProxyChoice choice;
  // libcurl reads no_proxy before NO_PROXY, and applies it to an explicit
  // CURLOPT_PROXY as well.
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    if (auto v = env(name)) {
      choice.no_proxy = *v;
      if (NoProxyMatches(host, *v)) {
        choice.source = name;
        return choice;
      }
      break;
    }
  }
  if (configured) {
    choice.url = configured;
    choice.source = "server.proxy";
    return choice;
  }
  const std::string lower = Lower(scheme) + "_proxy";
  std::string upper = lower;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  std::vector<std::string> names = {lower};
  // libcurl ignores HTTP_PROXY (a CGI script's Proxy: header lands there).
  if (scheme != "http")
    names.push_back(upper);
  names.push_back("all_proxy");
  names.push_back("ALL_PROXY");
  for (const auto& name : names) {
    if (auto v = env(name.c_str())) {
      choice.url = *v;
      choice.source = name;
      return choice;
    }
  }
  return choice;
}

std::vector<std::string> ProxyCredentialsFromEnv(const EnvLookup& env) {
  std::vector<std::string> out;
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY",
                           "all_proxy", "ALL_PROXY", "HTTP_PROXY"}) {
    auto v = env(name);
    if (!v)
      continue;
    auto scheme_end = v->find("://");
    std::string_view rest = *v;
    if (scheme_end != std::string::npos)
      rest.remove_prefix(scheme_end + 3);
    rest = rest.substr(0, rest.find('/'));
    auto at = rest.rfind('@');
    if (at == std::string_view::npos)
      continue;
    std::string_view userinfo = rest.substr(0, at);
    out.emplace_back(userinfo);
    // The password alone too: a message may quote it without the user.
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos)
      out.emplace_back(userinfo.substr(colon + 1));
  }
  return out;
}

}  // namespace gg::service
