// libggclient: the C ABI over a Transport, with nlohmann::json for the
// protocol. Every path that does not end in an answer from the agent ends
// in a deny (fail closed).
#include "gg/client.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ipc/client/transport.h"

using nlohmann::json;
namespace ci = gg::client_internal;

struct gg_client {
  std::string path;
  int timeout_ms = 10000;
  std::unique_ptr<ci::Transport> transport;
  std::string buffer;  // bytes read but not yet a whole line
  long long next_id = 0;
  std::string last_error;
  std::deque<gg_event> events;
  gg_event_callback callback = nullptr;
  void* user_data = nullptr;
};

namespace {

template <std::size_t N>
void Copy(char (&dst)[N], const std::string& src) {
  std::size_t n = src.size() < N - 1 ? src.size() : N - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void Unavailable(gg_verdict* out, const std::string& why) {
  if (out == nullptr) {
    return;
  }
  *out = gg_verdict{};
  out->allow = 0;
  Copy(out->reason_code, "AGENT_UNAVAILABLE");
  Copy(out->message, "The license agent is not reachable: " + why);
  Copy(out->source, "client");
}

void FillVerdict(const json& j, gg_verdict* out) {
  *out = gg_verdict{};
  // Allow only on an explicit boolean true: anything else fails closed.
  auto allow = j.find("allow");
  out->allow = allow != j.end() && allow->is_boolean() && allow->get<bool>();
  Copy(out->reason_code, Str(j, "reasonCode"));
  Copy(out->message, Str(j, "message"));
  Copy(out->source, Str(j, "source"));
  Copy(out->session_id, Str(j, "sessionId"));
  Copy(out->effective_expires_at, Str(j, "effectiveExpiresAt"));
  Copy(out->grace_ends_at, Str(j, "graceEndsAt"));
  Copy(out->license_id, Str(j, "licenseId"));
  if (auto e = j.find("error"); e != j.end() && e->is_object()) {
    out->allow = 0;
    Copy(out->error_code, Str(*e, "code"));
    Copy(out->message, Str(*e, "message"));
  }
}

void Drop(gg_client* c, const std::string& why) {
  c->transport.reset();
  c->buffer.clear();
  c->last_error = why;
}

void QueueEvent(gg_client* c, const json& j) {
  gg_event ev{};
  Copy(ev.type, Str(j, "event"));
  Copy(ev.session_id, Str(j, "sessionId"));
  if (Str(j, "event") == "verdict") {
    FillVerdict(j, &ev.verdict);
  }
  if (c->callback != nullptr) {
    c->callback(&ev, c->user_data);
  } else {
    c->events.push_back(ev);
  }
}

bool EnsureConnected(gg_client* c) {
  if (c->transport) {
    return true;
  }
  std::string error;
  c->transport = ci::Connect(c->path, c->timeout_ms, error);
  if (!c->transport) {
    c->last_error = error;
    return false;
  }
  return true;
}

// Takes whole lines out of the buffer: events are delivered, the answer
// with `want_id` (if any) is returned through `answer`.
bool ProcessLines(gg_client* c, long long want_id, json* answer) {
  std::size_t nl;
  while ((nl = c->buffer.find('\n')) != std::string::npos) {
    std::string line = c->buffer.substr(0, nl);
    c->buffer.erase(0, nl + 1);
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      continue;
    }
    if (j.contains("event")) {
      QueueEvent(c, j);
      continue;
    }
    if (answer == nullptr) {
      continue;  // polling for events: a stray answer is dropped
    }
    const json id = j.contains("id") ? j.at("id") : json(nullptr);
    if (id.is_number_integer() && id.get<long long>() == want_id) {
      *answer = std::move(j);
      return true;
    }
    if (id.is_null() && j.contains("error")) {
      *answer = std::move(j);  // BUSY/FRAME_TOO_LARGE carry no id
      return true;
    }
  }
  return false;
}

// Sends `request` and waits for its answer. GG_OK or GG_ERR_UNAVAILABLE.
int Call(gg_client* c, json request, json* answer) {
  if (!EnsureConnected(c)) {
    return GG_ERR_UNAVAILABLE;
  }
  long long id = ++c->next_id;
  request["v"] = 1;
  request["id"] = id;
  std::string line =
      request.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  std::string error;
  if (!c->transport->WriteAll(line, c->timeout_ms, error)) {
    // A connection the agent closed since the last call: retry once.
    Drop(c, error);
    if (!EnsureConnected(c) ||
        !c->transport->WriteAll(line, c->timeout_ms, error)) {
      Drop(c, error.empty() ? c->last_error : error);
      return GG_ERR_UNAVAILABLE;
    }
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(c->timeout_ms);
  while (!ProcessLines(c, id, answer)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      Drop(c, "timed out waiting for the agent");
      return GG_ERR_UNAVAILABLE;
    }
    if (!c->transport->ReadSome(c->buffer, static_cast<int>(left), error)) {
      Drop(c, error);
      return GG_ERR_UNAVAILABLE;
    }
  }
  return GG_OK;
}

int VerdictCall(gg_client* c, json request, gg_verdict* out) {
  json answer;
  if (Call(c, std::move(request), &answer) != GG_OK) {
    Unavailable(out, c->last_error);
    return GG_ERR_UNAVAILABLE;
  }
  FillVerdict(answer, out);
  if (out->error_code[0] != '\0') {
    c->last_error = std::string(out->error_code) + ": " + out->message;
    return GG_ERR_REQUEST;
  }
  return GG_OK;
}

char* Dup(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out != nullptr) {
    std::memcpy(out, s.c_str(), s.size() + 1);
  }
  return out;
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
  delete client;
}

int gg_client_set_timeout_ms(gg_client* client, int timeout_ms) {
  if (client == nullptr || timeout_ms <= 0) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  client->timeout_ms = timeout_ms;
  return GG_OK;
}

int gg_client_connect(gg_client* client) {
  if (client == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  return EnsureConnected(client) ? GG_OK : GG_ERR_UNAVAILABLE;
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
    if (out != nullptr) {
      Unavailable(out, "invalid argument");
    }
    return GG_ERR_INVALID_ARGUMENT;
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
  return VerdictCall(client, std::move(req), out);
}

int gg_client_heartbeat(gg_client* client,
                        const char* session_id,
                        gg_verdict* out) {
  if (client == nullptr || out == nullptr || session_id == nullptr) {
    if (out != nullptr) {
      Unavailable(out, "invalid argument");
    }
    return GG_ERR_INVALID_ARGUMENT;
  }
  return VerdictCall(client, {{"op", "heartbeat"}, {"sessionId", session_id}},
                     out);
}

int gg_client_release(gg_client* client, const char* session_id) {
  if (client == nullptr || session_id == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  gg_verdict v{};
  int rc =
      VerdictCall(client, {{"op", "release"}, {"sessionId", session_id}}, &v);
  return rc;
}

int gg_client_call_json(gg_client* client,
                        const char* request_json,
                        char** answer_out) {
  if (client == nullptr || request_json == nullptr || answer_out == nullptr) {
    return GG_ERR_INVALID_ARGUMENT;
  }
  *answer_out = nullptr;
  json req = json::parse(request_json, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    client->last_error = "request is not a JSON object";
    return GG_ERR_INVALID_ARGUMENT;
  }
  json answer;
  int rc = Call(client, std::move(req), &answer);
  if (rc != GG_OK) {
    return rc;
  }
  *answer_out = Dup(answer.dump());
  return answer.contains("error") ? GG_ERR_REQUEST : GG_OK;
}

int gg_client_status(gg_client* client, char** json_out) {
  return gg_client_call_json(client, R"({"op":"status"})", json_out);
}

void gg_client_string_free(char* s) {
  std::free(s);
}

void gg_client_set_event_callback(gg_client* client,
                                  gg_event_callback callback,
                                  void* user_data) {
  if (client != nullptr) {
    client->callback = callback;
    client->user_data = user_data;
  }
}

int gg_client_poll_event(gg_client* client, int timeout_ms, gg_event* out) {
  if (client == nullptr || out == nullptr) {
    return -GG_ERR_INVALID_ARGUMENT;
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
  while (true) {
    ProcessLines(client, -1, nullptr);
    if (!client->events.empty()) {
      *out = client->events.front();
      client->events.pop_front();
      return 1;
    }
    if (!client->transport) {
      return -GG_ERR_UNAVAILABLE;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    std::string error;
    std::size_t before = client->buffer.size();
    if (!client->transport->ReadSome(
            client->buffer, static_cast<int>(left > 0 ? left : 0), error)) {
      ProcessLines(client, -1, nullptr);  // events sent before the close
      Drop(client, error);
      if (!client->events.empty()) {
        continue;
      }
      return -GG_ERR_UNAVAILABLE;
    }
    if (left <= 0 && client->buffer.size() == before) {
      ProcessLines(client, -1, nullptr);
      if (client->events.empty()) {
        return 0;
      }
    }
  }
}

const char* gg_client_last_error(const gg_client* client) {
  return client == nullptr ? "no client" : client->last_error.c_str();
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
