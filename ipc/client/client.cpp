// libggclient's C ABI: argument checks, the handle's lock, and event
// delivery to the callback outside it. The protocol work is in
// client_core.cpp, the answer rule in answer.cpp.
#include "gg/client.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "ipc/client/answer.h"
#include "ipc/client/client_handle.h"

using nlohmann::json;
namespace ci = gg::client_internal;

namespace {

using Clock = std::chrono::steady_clock;

// Runs the callback for each queued event, outside the lock, so it may
// call the handle again; a nested call does not deliver (the outer loop
// goes on). With a watcher, only the watcher thread delivers.
void DeliverEvents(gg_client* c, bool from_watcher) {
  std::unique_lock<std::mutex> lock(c->mu);
  if (c->callback == nullptr || c->delivering ||
      (c->watcher_running && !from_watcher)) {
    return;
  }
  c->delivering = true;
  gg_event ev;
  while (c->callback != nullptr && c->events.Pop(ev)) {
    gg_event_callback cb = c->callback;
    void* user_data = c->user_data;
    lock.unlock();
    cb(&ev, user_data);
    lock.lock();
  }
  c->delivering = false;
}

// Runs `work` under the lock, then delivers what it queued.
template <class Work>
int Locked(gg_client* c, Work work) {
  int rc;
  {
    std::lock_guard<std::mutex> lock(c->mu);
    rc = work();
  }
  DeliverEvents(c, false);
  return rc;
}

char* Dup(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out != nullptr) {
    std::memcpy(out, s.c_str(), s.size() + 1);
  }
  return out;
}

int InvalidArgument(gg_client* c, gg_verdict* out, const char* why) {
  ci::ClientDeny(out, GG_REASON_CLIENT_INVALID_ARGUMENT, why);
  if (c != nullptr) {
    std::lock_guard<std::mutex> lock(c->mu);
    ci::SetError(c, why);
  }
  return GG_ERR_INVALID_ARGUMENT;
}

// One non-blocking round: what has arrived, or one reconnect attempt.
int DispatchLocked(gg_client* c) {
  if (!c->transport) {
    if (!ci::EnsureConnected(c)) {
      return -GG_ERR_UNAVAILABLE;
    }
  } else {
    // At most 256 KiB per round, so a flooding agent cannot starve the
    // app's loop; the fd stays readable and the loop comes back.
    for (int i = 0; i < 32 && c->transport; ++i) {
      std::size_t before = c->lines.Input().size();
      if (!ci::Pump(c, 0)) {
        ci::EnsureConnected(c);  // one attempt; resumes when enabled
        break;
      }
      if (c->lines.Input().size() <= before && c->lines.Empty()) {
        break;
      }
      if (!c->transport->WaitReadable(0)) {
        break;
      }
    }
  }
  return static_cast<int>(c->events.size());
}

void WatcherLoop(gg_client* c) {
  while (!c->stop.load()) {
    std::shared_ptr<ci::Transport> t;
    {
      std::lock_guard<std::mutex> lock(c->mu);
      t = c->transport;
    }
    // Short waits so gg_client_free stops the thread promptly.
    if (t) {
      t->WaitReadable(200);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (c->stop.load()) {
      break;
    }
    {
      std::lock_guard<std::mutex> lock(c->mu);
      DispatchLocked(c);
    }
    DeliverEvents(c, true);
  }
}

}  // namespace

extern "C" {

gg_client* gg_client_new(const char* socket_path) {
  auto* c = new (std::nothrow) gg_client();
  if (c != nullptr) {
    c->path = socket_path != nullptr && *socket_path != '\0'
                  ? std::string(socket_path)
                  : ci::DefaultEndpoint();
  }
  return c;
}

void gg_client_free(gg_client* client) {
  if (client == nullptr) {
    return;
  }
  client->stop.store(true);
  if (client->watcher.joinable()) {
    client->watcher.join();
  }
  delete client;
}

int gg_client_set_timeout_ms(gg_client* client, int timeout_ms) {
  if (client == nullptr || timeout_ms <= 0) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  std::lock_guard<std::mutex> lock(client->mu);
  client->timeout_ms = timeout_ms;
  return GG_OK;
}

int gg_client_set_agent_uid(gg_client* client, long long uid) {
  if (client == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  std::lock_guard<std::mutex> lock(client->mu);
  client->agent_uid = uid < 0 ? -1 : uid;
  return GG_OK;
}

int gg_client_set_auto_resume(gg_client* client, int enabled) {
  if (client == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  std::lock_guard<std::mutex> lock(client->mu);
  client->auto_resume = enabled != 0;
  return GG_OK;
}

int gg_client_connect(gg_client* client) {
  if (client == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  return Locked(client, [&] {
    if (!ci::EnsureConnected(client)) {
      return GG_ERR_UNAVAILABLE;
    }
    ci::ClearError(client);
    return GG_OK;
  });
}

int gg_client_authorize(gg_client* client,
                        const char* product_id,
                        const char* license_key,
                        const char* app_name,
                        const char* app_version,
                        int detached,
                        gg_verdict* out) {
  if (client == nullptr || out == nullptr || product_id == nullptr ||
      license_key == nullptr) {
    return InvalidArgument(client, out,
                           "gg_client_authorize: client, product_id, "
                           "license_key and out must not be NULL");
  }
  json req = {{"op", "authorize"},
              {"productId", product_id},
              {"licenseKey", license_key}};
  if (app_name != nullptr) {
    req["app"] = {{"name", app_name},
                  {"version", app_version != nullptr ? app_version : ""}};
  }
  if (detached != 0) {
    req["detached"] = true;
  }
  return Locked(client, [&] {
    int rc = ci::VerdictCall(client, std::move(req), out);
    if (rc == GG_OK && out->allow &&
        client->sessions.count(out->session_id) == 0) {
      // Past the handle's session bound its events could not be kept.
      std::string id = out->session_id;
      gg_verdict ignored{};
      ci::VerdictCall(client, {{"op", "release"}, {"sessionId", id}}, &ignored);
      ci::ClientDeny(out, GG_REASON_CLIENT_INVALID_ARGUMENT,
                     "too many sessions on one handle");
      ci::SetError(client, "too many sessions on one handle");
      return GG_ERR_INVALID_ARGUMENT;
    }
    return rc;
  });
}

int gg_client_heartbeat(gg_client* client,
                        const char* session_id,
                        gg_verdict* out) {
  if (client == nullptr || out == nullptr || session_id == nullptr) {
    return InvalidArgument(client, out,
                           "gg_client_heartbeat: client, session_id and out "
                           "must not be NULL");
  }
  json req = {{"op", "heartbeat"}, {"sessionId", session_id}};
  return Locked(client,
                [&] { return ci::VerdictCall(client, std::move(req), out); });
}

int gg_client_release(gg_client* client, const char* session_id) {
  if (client == nullptr || session_id == nullptr) {
    return InvalidArgument(client, nullptr, "gg_client_release: NULL argument");
  }
  json req = {{"op", "release"}, {"sessionId", session_id}};
  return Locked(client, [&] {
    json answer;
    if (ci::Call(client, std::move(req), &answer) != GG_OK) {
      return GG_ERR_UNAVAILABLE;
    }
    if (answer.contains("error")) {
      const json& e = answer["error"];
      ci::SetError(client, e.is_object() ? ci::Str(e, "code") + ": " +
                                               ci::Str(e, "message")
                                         : "release failed");
      return GG_ERR_REQUEST;
    }
    ci::ClearError(client);
    return GG_OK;
  });
}

int gg_client_call_json(gg_client* client,
                        const char* request_json,
                        char** answer_out) {
  if (client == nullptr || request_json == nullptr || answer_out == nullptr) {
    return InvalidArgument(client, nullptr,
                           "gg_client_call_json: NULL argument");
  }
  *answer_out = nullptr;
  json req = json::parse(request_json, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    return InvalidArgument(client, nullptr, "request is not a JSON object");
  }
  return Locked(client, [&] {
    json answer;
    int rc = ci::Call(client, std::move(req), &answer);
    if (rc != GG_OK) {
      return rc;
    }
    *answer_out =
        Dup(answer.dump(-1, ' ', false, json::error_handler_t::replace));
    if (answer.contains("error")) {
      ci::SetError(client, "the agent answered an error");
      return GG_ERR_REQUEST;
    }
    ci::ClearError(client);
    return GG_OK;
  });
}

int gg_client_status(gg_client* client, char** json_out) {
  return gg_client_call_json(client, R"({"op":"status"})", json_out);
}

void gg_client_string_free(char* s) {
  std::free(s);
}

int gg_verdict_from_json(const char* answer_json, gg_verdict* out) {
  if (answer_json == nullptr || out == nullptr) {
    ci::ClientDeny(out, GG_REASON_CLIENT_INVALID_ARGUMENT,
                   "gg_verdict_from_json: NULL argument");
    return GG_ERR_INVALID_ARGUMENT;
  }
  return ci::VerdictFromAnswer(json::parse(answer_json, nullptr, false), out);
}

void gg_client_set_event_callback(gg_client* client,
                                  gg_event_callback callback,
                                  void* user_data) {
  if (client != nullptr) {
    std::lock_guard<std::mutex> lock(client->mu);
    client->callback = callback;
    client->user_data = user_data;
  }
}

int gg_client_poll_event(gg_client* client, int timeout_ms, gg_event* out) {
  if (client == nullptr || out == nullptr) {
    return -GG_ERR_INVALID_ARGUMENT;
  }
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
  int result = 0;
  {
    std::unique_lock<std::mutex> lock(client->mu);
    while (true) {
      if (client->callback != nullptr ? client->events.size() > 0
                                      : client->events.Pop(*out)) {
        result = 1;
        break;
      }
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now())
              .count();
      if (!client->transport && !ci::EnsureConnected(client)) {
        if (left <= 0) {
          result = -GG_ERR_UNAVAILABLE;
          break;
        }
        // The agent may be restarting: retry until the timeout, so a
        // caller's loop waits instead of spinning.
        lock.unlock();
        std::this_thread::sleep_for(
            std::chrono::milliseconds(left < 100 ? left : 100));
        lock.lock();
        continue;
      }
      if (client->events.size() > 0) {
        continue;  // a resume after the reconnect queued some
      }
      // Wait without the lock so other threads' calls go on meanwhile.
      std::shared_ptr<ci::Transport> t = client->transport;
      lock.unlock();
      bool readable = t->WaitReadable(static_cast<int>(left));
      lock.lock();
      if (client->transport != t) {
        continue;  // another call reconnected meanwhile
      }
      if (readable) {
        ci::Pump(client, 0);
        continue;
      }
      if (Clock::now() >= deadline) {
        ci::ClearError(client);
        result = 0;
        break;
      }
    }
  }
  DeliverEvents(client, false);
  return result;
}

intptr_t gg_client_fd(gg_client* client) {
  if (client == nullptr) {
    return -1;
  }
  std::lock_guard<std::mutex> lock(client->mu);
  return client->transport ? client->transport->WaitHandle() : -1;
}

int gg_client_dispatch(gg_client* client) {
  if (client == nullptr) {
    return -GG_ERR_INVALID_ARGUMENT;
  }
  return Locked(client, [&] { return DispatchLocked(client); });
}

int gg_client_start_watcher(gg_client* client,
                            gg_event_callback callback,
                            void* user_data) {
  if (client == nullptr || callback == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  std::lock_guard<std::mutex> lock(client->mu);
  if (client->watcher_running.load()) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  client->callback = callback;
  client->user_data = user_data;
  client->watcher_running.store(true);
  client->watcher = std::thread(WatcherLoop, client);
  return GG_OK;
}

const char* gg_client_last_error(const gg_client* client) {
  return client == nullptr ? "no client" : client->last_error;
}

const char* gg_client_strerror(int code) {
  switch (code < 0 ? -code : code) {
    case GG_OK:
      return "ok";
    case GG_ERR_UNAVAILABLE:
      return "the license agent is not reachable";
    case GG_ERR_REQUEST:
      return "the license agent rejected the request";
    case GG_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case GG_ERR_PROTOCOL:
      return "the license agent's answer was malformed";
    default:
      return "unknown error";
  }
}

}  // extern "C"
