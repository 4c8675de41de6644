#include "ipc/listen_fds.h"

#include <charconv>

namespace gg::ipc {
namespace {

std::optional<long long> ParsePositive(const std::string& s) {
  long long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() ||
      value <= 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Result<std::vector<int>> ParseListenFds(
    const std::optional<std::string>& listen_pid,
    const std::optional<std::string>& listen_fds,
    long long own_pid) {
  std::vector<int> fds;
  if (!listen_pid || !listen_fds) {
    return fds;
  }
  auto pid = ParsePositive(*listen_pid);
  if (!pid) {
    return MakeError(ErrorCode::kValidation, "LISTEN_PID is not a pid");
  }
  if (*pid != own_pid) {
    return fds;  // meant for a parent or a child, not for us
  }
  auto count = ParsePositive(*listen_fds);
  if (!count || *count > 64) {
    return MakeError(ErrorCode::kValidation,
                     "LISTEN_FDS is not a count of 1-64");
  }
  for (long long i = 0; i < *count; ++i) {
    fds.push_back(kListenFdsStart + static_cast<int>(i));
  }
  return fds;
}

}  // namespace gg::ipc
