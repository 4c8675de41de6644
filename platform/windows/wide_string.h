// Windows only: UTF-8 (what the agent's strings hold) to the UTF-16 the
// wide Win32 calls take. One copy for the pipe server, libggclient's
// transport and the test probes.
#ifndef GG_PLATFORM_WINDOWS_WIDE_STRING_H_
#define GG_PLATFORM_WINDOWS_WIDE_STRING_H_

#include <windows.h>

#include <string>
#include <string_view>

namespace gg {

// Invalid UTF-8 becomes U+FFFD (MultiByteToWideChar's rule); "" when the
// input is empty or cannot be converted at all.
inline std::wstring Widen(std::string_view s) {
  if (s.empty()) {
    return {};
  }
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(),
                                    static_cast<int>(s.size()), nullptr, 0);
  if (n <= 0) {
    return {};
  }
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  if (MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()),
                          out.data(), n) != n) {
    return {};
  }
  return out;
}

}  // namespace gg

#endif  // GG_PLATFORM_WINDOWS_WIDE_STRING_H_
