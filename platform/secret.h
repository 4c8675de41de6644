// Secret: a string that never prints itself.
//
// API keys and signing secrets live in a Secret from the moment they are read.
// Formatting one (fmt/spdlog, operator<<) yields a fixed mask, so a secret
// cannot reach a log line or `check-config` output by accident; Reveal() is
// the one explicit way to the bytes, for the signing code.
#ifndef GG_PLATFORM_SECRET_H_
#define GG_PLATFORM_SECRET_H_

#include <ostream>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace gg {

class Secret {
 public:
  static constexpr const char* kMask = "********";

  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend bool operator==(const Secret&, const Secret&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Secret&) {
    return os << kMask;
  }

 private:
  std::string value_;
};

}  // namespace gg

template <>
struct fmt::formatter<gg::Secret> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const gg::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(gg::Secret::kMask, ctx);
  }
};

#endif  // GG_PLATFORM_SECRET_H_
