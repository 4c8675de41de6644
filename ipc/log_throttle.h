// LogThrottle: at most one log line per interval for an event a peer (or a
// broken environment) can repeat at will, with the number held back since
// the last one, so a flood costs a few lines, not megabytes of log.
// Not thread-safe; the server's loop thread only.
#ifndef GG_IPC_LOG_THROTTLE_H_
#define GG_IPC_LOG_THROTTLE_H_

#include <chrono>
#include <cstddef>
#include <optional>

namespace gg::ipc {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(std::chrono::seconds interval) : interval_(interval) {}

  // nullopt: stay quiet. Otherwise log now, mentioning the returned number
  // of events that were held back before this one.
  std::optional<std::size_t> Allow(Clock::time_point now) {
    if (logged_once_ && now - last_ < interval_) {
      ++held_back_;
      return std::nullopt;
    }
    logged_once_ = true;
    last_ = now;
    std::size_t held = held_back_;
    held_back_ = 0;
    return held;
  }

 private:
  std::chrono::seconds interval_;
  Clock::time_point last_{};
  std::size_t held_back_ = 0;
  bool logged_once_ = false;
};

}  // namespace gg::ipc

#endif  // GG_IPC_LOG_THROTTLE_H_
