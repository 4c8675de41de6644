#include <charconv>

#include "platform/process_probe.h"

namespace gg {

std::optional<std::uint64_t> ParseProcStatStartTime(std::string_view stat) {
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  // After ") " come field 3 (state), 4, ... 22 (starttime).
  std::string_view rest = stat.substr(close + 1);
  int field = 2;
  std::string_view token;
  while (field < 22) {
    const auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) {
      return std::nullopt;
    }
    rest = rest.substr(start);
    const auto end = rest.find_first_of(" \n");
    token = rest.substr(0, end);
    rest =
        end == std::string_view::npos ? std::string_view() : rest.substr(end);
    ++field;
    if (field == 3 && (token == "Z" || token == "X")) {
      return std::nullopt;
    }
  }
  std::uint64_t value = 0;
  const auto [ptr, ec] =
      std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || ptr != token.data() + token.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace gg
