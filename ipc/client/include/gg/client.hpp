// Header-only C++ wrapper over gg/client.h (C++17): std::string, a typed
// Event, std::function callbacks and RAII sessions that release themselves.
//
//   gg::client::Client client;                    // GG_AGENT_SOCKET or default
//   auto [verdict, session] = client.Open(product_id, key, {"MyApp", "1.2"});
//   if (!verdict.allow) { show(verdict.UserMessage()); return; }
//   client.SetEventCallback([&](const gg::client::Event& e) { ... });
//   ...                                           // `session` releases at
//   scope end
//
// Blocking, threads, ownership and return codes are those of gg/client.h;
// a Client may be shared by threads like the handle it wraps. A Session
// must not outlive its Client.
#ifndef GG_CLIENT_HPP_
#define GG_CLIENT_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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

  // The text to show a user for a deny (gg_reason_default_message).
  std::string UserMessage() const {
    return gg_reason_default_message(reason_code.c_str());
  }
};

inline Verdict FromC(const gg_verdict& v, int rc) {
  return Verdict{v.allow != 0,    v.reason_code,
                 v.message,       v.source,
                 v.session_id,    v.effective_expires_at,
                 v.grace_ends_at, v.license_id,
                 v.error_code,    rc};
}

enum class EventType {
  kVerdict,         // a session's verdict changed (a deny: the session ended)
  kShutdown,        // the agent is stopping (AGENT_STOPPING)
  kSessionResumed,  // re-authorized after a reconnect (auto-resume)
  kSessionLost,     // the session is gone; verdict says why
  kUnknown,
};

struct Event {
  EventType type = EventType::kUnknown;
  std::string session_id;  // the id the app knew
  Verdict verdict;         // for kSessionResumed: the new session_id
};

inline Event FromC(const gg_event& e) {
  const std::string type = e.type;
  Event out;
  out.type = type == GG_EVENT_VERDICT           ? EventType::kVerdict
             : type == GG_EVENT_SHUTDOWN        ? EventType::kShutdown
             : type == GG_EVENT_SESSION_RESUMED ? EventType::kSessionResumed
             : type == GG_EVENT_SESSION_LOST    ? EventType::kSessionLost
                                                : EventType::kUnknown;
  out.session_id = e.session_id;
  out.verdict = FromC(e.verdict, GG_OK);
  return out;
}

struct AuthorizeOptions {
  std::string app_name;  // empty: no app info sent
  std::string app_version;
  bool detached = false;  // outlives the connection; needs heartbeats
};

using EventCallback = std::function<void(const Event&)>;

class Client;

// An open session that releases itself when destroyed (or moved from and
// reassigned). Release() ends it early; Detach() keeps it open and returns
// its id.
class Session {
 public:
  Session() = default;
  ~Session() { Release(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&& o) noexcept
      : client_(std::exchange(o.client_, nullptr)), id_(std::move(o.id_)) {}
  Session& operator=(Session&& o) noexcept {
    if (this != &o) {
      Release();
      client_ = std::exchange(o.client_, nullptr);
      id_ = std::move(o.id_);
    }
    return *this;
  }

  explicit operator bool() const { return client_ != nullptr; }
  const std::string& id() const { return id_; }
  inline Verdict Heartbeat();
  // GG_OK, or the C release's code; a no-op (GG_OK) when empty.
  inline int Release();
  std::string Detach() {
    client_ = nullptr;
    return std::move(id_);
  }

 private:
  friend class Client;
  Session(Client* client, std::string id)
      : client_(client), id_(std::move(id)) {}

  Client* client_ = nullptr;
  std::string id_;
};

class Client {
 public:
  // Empty path: $GG_AGENT_SOCKET or the default endpoint. Does not connect.
  explicit Client(const std::string& path = {})
      : c_(gg_client_new(path.empty() ? nullptr : path.c_str())) {}
  ~Client() { gg_client_free(c_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  // Not movable: sessions and callbacks refer to this object.
  Client(Client&&) = delete;
  Client& operator=(Client&&) = delete;

  // GG_OK or GG_ERR_UNAVAILABLE (blocks up to the timeout).
  int Connect() { return gg_client_connect(c_); }
  int SetTimeoutMs(int ms) { return gg_client_set_timeout_ms(c_, ms); }
  int SetAgentUid(long long uid) { return gg_client_set_agent_uid(c_, uid); }
  int SetAutoResume(bool on) { return gg_client_set_auto_resume(c_, on); }

  Verdict Authorize(const std::string& product_id,
                    const std::string& license_key,
                    const AuthorizeOptions& options = {}) {
    gg_verdict v{};
    int rc = gg_client_authorize(
        c_, product_id.c_str(), license_key.c_str(),
        options.app_name.empty() ? nullptr : options.app_name.c_str(),
        options.app_name.empty() ? nullptr : options.app_version.c_str(),
        options.detached ? 1 : 0, &v);
    return FromC(v, rc);
  }
  // Authorize, with the session (if allowed) as an RAII object.
  std::pair<Verdict, Session> Open(const std::string& product_id,
                                   const std::string& license_key,
                                   const AuthorizeOptions& options = {}) {
    Verdict v = Authorize(product_id, license_key, options);
    Session s;
    if (v.allow && !v.session_id.empty()) {
      s = Session(this, v.session_id);
    }
    return {std::move(v), std::move(s)};
  }
  Verdict Heartbeat(const std::string& session_id) {
    gg_verdict v{};
    int rc = gg_client_heartbeat(c_, session_id.c_str(), &v);
    return FromC(v, rc);
  }
  int Release(const std::string& session_id) {
    return gg_client_release(c_, session_id.c_str());
  }
  // The status answer as JSON, or nullopt (see LastError()).
  std::optional<std::string> StatusJson() {
    char* out = nullptr;
    if (gg_client_status(c_, &out) != GG_OK) {
      gg_client_string_free(out);
      return std::nullopt;
    }
    std::string s(out);
    gg_client_string_free(out);
    return s;
  }

  // Events go to `callback` (see gg_client_set_event_callback for the
  // thread); an empty function queues them for PollEvent again.
  void SetEventCallback(EventCallback callback) {
    const bool set = static_cast<bool>(callback);
    {
      std::lock_guard<std::mutex> lock(callback_->mu);
      callback_->fn = std::move(callback);
    }
    if (set) {
      gg_client_set_event_callback(c_, &Trampoline, callback_.get());
    } else {
      gg_client_set_event_callback(c_, nullptr, nullptr);
    }
  }
  // Waits up to timeout_ms; an event, or nullopt with `rc` (if given) 0 for
  // a timeout or -GG_ERR_UNAVAILABLE.
  std::optional<Event> PollEvent(int timeout_ms, int* rc = nullptr) {
    gg_event e{};
    int r = gg_client_poll_event(c_, timeout_ms, &e);
    if (rc != nullptr) {
      *rc = r;
    }
    if (r == 1 && e.type[0] != '\0') {
      return FromC(e);
    }
    return std::nullopt;
  }
  // Event-loop integration (gg_client_fd, gg_client_dispatch).
  std::intptr_t Fd() { return gg_client_fd(c_); }
  int Dispatch() { return gg_client_dispatch(c_); }
  // Callbacks on a library thread from now on.
  int StartWatcher(EventCallback callback) {
    {
      std::lock_guard<std::mutex> lock(callback_->mu);
      callback_->fn = std::move(callback);
    }
    return gg_client_start_watcher(c_, &Trampoline, callback_.get());
  }

  std::string LastError() const { return gg_client_last_error(c_); }
  gg_client* handle() { return c_; }

 private:
  // One object for the handle's lifetime, so replacing the function never
  // frees what another thread is calling.
  struct CallbackSlot {
    std::mutex mu;
    EventCallback fn;
  };

  static void Trampoline(const gg_event* e, void* user) {
    auto* slot = static_cast<CallbackSlot*>(user);
    EventCallback fn;
    {
      std::lock_guard<std::mutex> lock(slot->mu);
      fn = slot->fn;
    }
    if (fn) {
      fn(FromC(*e));
    }
  }

  // ~Client frees the handle (joining its watcher) before the members go,
  // so the slot outlives every call into it.
  std::unique_ptr<CallbackSlot> callback_ = std::make_unique<CallbackSlot>();
  gg_client* c_;
};

inline Verdict Session::Heartbeat() {
  if (client_ == nullptr) {
    gg_verdict v{};
    return FromC(v, GG_ERR_INVALID_ARGUMENT);
  }
  return client_->Heartbeat(id_);
}

inline int Session::Release() {
  if (client_ == nullptr) {
    return GG_OK;
  }
  Client* c = std::exchange(client_, nullptr);
  return c->Release(id_);
}

}  // namespace gg::client

#endif  // GG_CLIENT_HPP_
