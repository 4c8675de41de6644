// Internal to libggclient: the handle behind the C ABI and the protocol
// work on it (client_core.cpp). The ABI functions (client.cpp) take `mu`
// around every use and deliver events to the callback outside it.
#ifndef GG_IPC_CLIENT_CLIENT_HANDLE_H_
#define GG_IPC_CLIENT_CLIENT_HANDLE_H_

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "gg/client.h"
#include "ipc/client/event_queue.h"
#include "ipc/client/line_buffer.h"
#include "ipc/client/transport.h"

namespace gg::client_internal {

// Sessions one handle tracks (for events and auto-resume); an allow past
// this is released again and answered with a client-side deny.
inline constexpr std::size_t kMaxSessions = 1024;

// What an authorize asked, kept to re-authorize after an agent restart.
struct TrackedSession {
  std::string product_id;
  std::string license_key;
  std::optional<std::pair<std::string, std::string>> app;  // name, version
  bool detached = false;
  bool needs_resume = false;  // its connection was lost (auto-resume on)
};

}  // namespace gg::client_internal

struct gg_client {
  std::mutex mu;
  std::string path;
  int timeout_ms = GG_CLIENT_DEFAULT_TIMEOUT_MS;
  long long agent_uid = -1;
  bool auto_resume = false;
  // Shared so the watcher can wait on it without the lock.
  std::shared_ptr<gg::client_internal::Transport> transport;
  gg::client_internal::LineBuffer lines;
  long long next_id = 0;
  char last_error[512] = "";
  gg::client_internal::EventQueue events{gg::client_internal::kMaxSessions + 1};
  gg_event_callback callback = nullptr;
  void* user_data = nullptr;
  std::map<std::string, gg::client_internal::TrackedSession> sessions;
  bool resuming = false;
  bool delivering = false;
  std::thread watcher;
  std::atomic<bool> watcher_running{false};
  std::atomic<bool> stop{false};
};

namespace gg::client_internal {

// All of these need `c->mu` held.
void SetError(gg_client* c, const std::string& why);
void ClearError(gg_client* c);
// Connects (and, with auto-resume, resumes lost sessions) when not
// connected. False with last_error set when the agent cannot be reached.
bool EnsureConnected(gg_client* c);
// Sends `request` and waits for its answer: GG_OK or GG_ERR_UNAVAILABLE.
// Tracks the session an authorize allow opened and forgets a released one.
int Call(gg_client* c, nlohmann::json request, nlohmann::json* answer);
// Takes what arrived (waiting up to timeout_ms if nothing did) and queues
// its events. False when the connection was lost (it is dropped).
bool Pump(gg_client* c, int timeout_ms);
// A verdict call: fills `out` by the answer rule, or a client deny.
int VerdictCall(gg_client* c, nlohmann::json request, gg_verdict* out);

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_CLIENT_HANDLE_H_
