#include "agent/config/url.h"

#include "platform/secret.h"

namespace gg::config::internal {
namespace {

// The authority ("user@host:port") and where it starts in `url`.
std::string_view Authority(std::string_view url, std::size_t* start) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return {};
  *start = sep + 3;
  std::string_view rest = url.substr(*start);
  return rest.substr(0, rest.find_first_of("/?#"));
}

bool IsDottedQuadLoopback(std::string_view host) {
  int parts = 0;
  int first = -1;
  std::size_t pos = 0;
  while (pos <= host.size()) {
    std::size_t end = host.find('.', pos);
    if (end == std::string_view::npos)
      end = host.size();
    std::string_view part = host.substr(pos, end - pos);
    if (part.empty() || part.size() > 3)
      return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9')
        return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255)
      return false;
    if (parts == 0)
      first = value;
    ++parts;
    pos = end + 1;
  }
  return parts == 4 && first == 127;
}

}  // namespace

bool IsLoopbackUrl(std::string_view url) {
  std::size_t start = 0;
  std::string_view authority = Authority(url, &start);
  std::string_view host = authority.substr(authority.rfind('@') + 1);
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close != std::string_view::npos &&
           host.substr(1, close - 1) == "::1";
  }
  host = host.substr(0, host.find(':'));
  std::string lower(host);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return lower == "localhost" || IsDottedQuadLoopback(host);
}

bool IsUrlWithScheme(std::string_view url,
                     std::initializer_list<std::string_view> schemes) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return false;
  bool scheme_ok = false;
  for (auto s : schemes)
    scheme_ok = scheme_ok || url.substr(0, sep) == s;
  if (!scheme_ok)
    return false;
  std::size_t start = 0;
  std::string_view authority = Authority(url, &start);
  std::string_view host = authority.substr(authority.rfind('@') + 1);
  if (host.empty() || host.front() == ':')
    return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return false;
  return true;
}

std::string_view UrlUserinfo(std::string_view url) {
  std::size_t start = 0;
  std::string_view authority = Authority(url, &start);
  auto at = authority.rfind('@');
  return at == std::string_view::npos ? std::string_view()
                                      : authority.substr(0, at);
}

std::string MaskUrlUserinfo(std::string_view url) {
  std::size_t start = 0;
  std::string_view authority = Authority(url, &start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos)
    return std::string(url);
  return std::string(url.substr(0, start)) + Secret::kMask +
         std::string(url.substr(start + at));
}

}  // namespace gg::config::internal
