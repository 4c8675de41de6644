// Header-only C++ wrapper over gg/client.h: RAII and std::string.
#ifndef GG_CLIENT_HPP_
#define GG_CLIENT_HPP_

#include <optional>
#include <string>
#include <utility>

#include "gg/client.h"

namespace gg::client {

struct Verdict {
  bool allow = false;
  std::string reason_code, message, source, session_id, effective_expires_at,
      grace_ends_at, license_id, error_code;
  int rc = GG_ERR_UNAVAILABLE;  // the C call's return code
};

inline Verdict FromC(const gg_verdict& v, int rc) {
  return Verdict{v.allow != 0,    v.reason_code,
                 v.message,       v.source,
                 v.session_id,    v.effective_expires_at,
                 v.grace_ends_at, v.license_id,
                 v.error_code,    rc};
}

class Client {
 public:
  // Empty path: $GG_AGENT_SOCKET or the default endpoint.
  explicit Client(const std::string& path = {})
      : c_(gg_client_new(path.empty() ? nullptr : path.c_str())) {}
  ~Client() { gg_client_free(c_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}

  void SetTimeoutMs(int ms) { gg_client_set_timeout_ms(c_, ms); }

  Verdict Authorize(const std::string& product_id,
                    const std::string& license_key,
                    const std::optional<std::pair<std::string, std::string>>&
                        app = std::nullopt,
                    bool detached = false) {
    gg_verdict v{};
    int rc = gg_client_authorize(c_, product_id.c_str(), license_key.c_str(),
                                 app ? app->first.c_str() : nullptr,
                                 app ? app->second.c_str() : nullptr,
                                 detached ? 1 : 0, &v);
    return FromC(v, rc);
  }
  Verdict Heartbeat(const std::string& session_id) {
    gg_verdict v{};
    int rc = gg_client_heartbeat(c_, session_id.c_str(), &v);
    return FromC(v, rc);
  }
  int Release(const std::string& session_id) {
    return gg_client_release(c_, session_id.c_str());
  }
  // The status answer as JSON, or nullopt.
  std::optional<std::string> StatusJson() {
    char* out = nullptr;
    if (gg_client_status(c_, &out) != GG_OK) {
      return std::nullopt;
    }
    std::string s(out);
    gg_client_string_free(out);
    return s;
  }
  // 1 an event, 0 none, negative when disconnected.
  int PollEvent(int timeout_ms, gg_event* out) {
    return gg_client_poll_event(c_, timeout_ms, out);
  }
  std::string LastError() const { return gg_client_last_error(c_); }

 private:
  gg_client* c_;
};

}  // namespace gg::client

#endif  // GG_CLIENT_HPP_
