// libggclient's protocol work on a handle: connecting, one request at a
// time, lines in, events queued, sessions tracked and resumed. Every path
// that does not end in an answer from the agent ends in a deny.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "ipc/client/answer.h"
#include "ipc/client/client_handle.h"

using nlohmann::json;

namespace gg::client_internal {
namespace {

using Clock = std::chrono::steady_clock;

int MsLeft(Clock::time_point deadline) {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now())
          .count();
  return left > 0 ? static_cast<int>(left) : 0;
}

void QueueLost(gg_client* c,
               const std::string& session_id,
               const gg_verdict& why) {
  gg_event ev{};
  Copy(ev.type, GG_EVENT_SESSION_LOST);
  Copy(ev.session_id, session_id);
  ev.verdict = why;
  ev.verdict.allow = 0;
  c->events.Push(ev);
}

// The connection is gone: the agent ends its connection-bound sessions.
void Drop(gg_client* c, const std::string& why) {
  c->transport.reset();
  c->lines.Clear();
  SetError(c, why);
  gg_verdict lost{};
  ClientDeny(&lost, GG_REASON_AGENT_UNAVAILABLE,
             "the connection to the license agent was lost: " + why);
  for (auto it = c->sessions.begin(); it != c->sessions.end();) {
    if (c->auto_resume) {
      it->second.needs_resume = true;  // detached ones are checked first
      ++it;
    } else if (!it->second.detached) {
      QueueLost(c, it->first, lost);
      it = c->sessions.erase(it);
    } else {
      ++it;  // a detached session outlives its connection
    }
  }
}

void QueueEvent(gg_client* c, const json& j) {
  gg_event ev{};
  const std::string type = Str(j, "event");
  const std::string session = Str(j, "sessionId");
  Copy(ev.type, type);
  Copy(ev.session_id, session);
  if (type == GG_EVENT_SHUTDOWN) {
    ClientDeny(&ev.verdict, GG_REASON_AGENT_STOPPING,
               "the license agent is stopping");
    if (!Str(j, "reasonCode").empty()) {
      Copy(ev.verdict.reason_code, Str(j, "reasonCode"));
    }
    if (!Str(j, "message").empty()) {
      Copy(ev.verdict.message, Str(j, "message"));
    }
    Copy(ev.verdict.source, "local");
  } else if (type == GG_EVENT_VERDICT) {
    auto it = c->sessions.find(session);
    if (it == c->sessions.end()) {
      return;  // not a session of this handle: nothing to queue
    }
    VerdictFromAnswer(j, &ev.verdict);  // an event has no "ok": a deny
    Copy(ev.verdict.session_id, session);
    if (!ev.verdict.allow) {
      c->sessions.erase(it);  // the agent ended it
    }
  } else {
    return;  // an event type this version does not know
  }
  c->events.Push(ev);
}

// Takes whole lines out of the buffer: events are queued, the answer with
// `want_id` (if any) is returned through `answer`. Drops the connection on
// a line over the frame limit.
bool ProcessLines(gg_client* c, long long want_id, json* answer) {
  std::string line;
  while (c->lines.Next(line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      continue;
    }
    if (j.contains("event")) {
      QueueEvent(c, j);
      continue;
    }
    if (answer == nullptr) {
      continue;  // no request outstanding: a stray answer is dropped
    }
    const json id = j.contains("id") ? j.at("id") : json(nullptr);
    if ((id.is_number_integer() && id.get<long long>() == want_id) ||
        (id.is_null() && j.contains("error"))) {  // BUSY, FRAME_TOO_LARGE
      *answer = std::move(j);
      return true;
    }
  }
  if (c->lines.Overflow()) {
    Drop(c, "the agent sent a line over " + std::to_string(kMaxFrameBytes) +
                " bytes");
  }
  return false;
}

void Track(gg_client* c, const json& request, const json& answer) {
  const std::string op = Str(request, "op");
  if (op == "release") {
    if (answer.value("ok", false) == true) {
      c->sessions.erase(Str(request, "sessionId"));
    }
    return;
  }
  gg_verdict v{};
  const bool allowed = VerdictFromAnswer(answer, &v) == GG_OK && v.allow;
  if (op == "heartbeat" && !allowed) {
    c->sessions.erase(Str(request, "sessionId"));  // ended or unknown
  }
  if (op != "authorize" || !allowed || v.session_id[0] == '\0') {
    return;
  }
  TrackedSession s;
  s.product_id = Str(request, "productId");
  s.license_key = Str(request, "licenseKey");
  if (auto app = request.find("app"); app != request.end()) {
    s.app = std::make_pair(Str(*app, "name"), Str(*app, "version"));
  }
  s.detached = request.value("detached", false) == true;
  if (c->sessions.size() < kMaxSessions) {
    c->sessions[v.session_id] = std::move(s);
  }
}

json AuthorizeRequest(const TrackedSession& s) {
  json req = {{"op", "authorize"},
              {"productId", s.product_id},
              {"licenseKey", s.license_key}};
  if (s.app) {
    req["app"] = {{"name", s.app->first}, {"version", s.app->second}};
  }
  if (s.detached) {
    req["detached"] = true;
  }
  return req;
}

// After a reconnect: a detached session that survived answers its
// heartbeat; every other lost session is authorized again.
void Resume(gg_client* c) {
  std::vector<std::string> ids;
  for (const auto& [id, s] : c->sessions) {
    if (s.needs_resume) {
      ids.push_back(id);
    }
  }
  for (const std::string& old_id : ids) {
    auto it = c->sessions.find(old_id);
    if (it == c->sessions.end() || !c->transport) {
      continue;
    }
    TrackedSession s = it->second;
    if (s.detached) {
      gg_verdict hb{};
      int rc =
          VerdictCall(c, {{"op", "heartbeat"}, {"sessionId", old_id}}, &hb);
      if (rc == GG_OK && hb.allow) {
        it = c->sessions.find(old_id);
        if (it != c->sessions.end()) {
          it->second.needs_resume = false;
        }
        continue;
      }
      if (rc == GG_ERR_UNAVAILABLE) {
        return;  // lost again: try at the next reconnect
      }
      if (rc == GG_OK) {
        c->sessions.erase(old_id);  // the agent ended it on a denial
        QueueLost(c, old_id, hb);
        continue;
      }
    }
    c->sessions.erase(old_id);
    gg_verdict v{};
    int rc = VerdictCall(c, AuthorizeRequest(s), &v);
    if (rc == GG_ERR_UNAVAILABLE) {
      s.needs_resume = true;
      c->sessions[old_id] = std::move(s);  // keep it for the next attempt
      return;
    }
    gg_event ev{};
    Copy(ev.type, v.allow ? GG_EVENT_SESSION_RESUMED : GG_EVENT_SESSION_LOST);
    Copy(ev.session_id, old_id);
    ev.verdict = v;
    c->events.Push(ev);
  }
}

}  // namespace

void SetError(gg_client* c, const std::string& why) {
  Copy(c->last_error, why);
}

void ClearError(gg_client* c) {
  c->last_error[0] = '\0';
}

bool EnsureConnected(gg_client* c) {
  if (!c->transport) {
    std::string error;
    std::unique_ptr<Transport> t =
        Connect(c->path, c->timeout_ms, c->agent_uid, error);
    if (!t) {
      SetError(c, error);
      return false;
    }
    c->transport = std::move(t);
    c->lines.Clear();
  }
  if (c->auto_resume && !c->resuming) {
    c->resuming = true;
    Resume(c);
    c->resuming = false;
  }
  return c->transport != nullptr;
}

int Call(gg_client* c, json request, json* answer) {
  if (!EnsureConnected(c)) {
    return GG_ERR_UNAVAILABLE;
  }
  const json original = request;
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
      if (c->transport) {
        Drop(c, error);
      }
      return GG_ERR_UNAVAILABLE;
    }
  }
  auto deadline = Clock::now() + std::chrono::milliseconds(c->timeout_ms);
  while (!ProcessLines(c, id, answer)) {
    if (!c->transport) {
      return GG_ERR_UNAVAILABLE;  // dropped for an oversized line
    }
    int left = MsLeft(deadline);
    if (left <= 0) {
      Drop(c, "timed out waiting for the agent");
      return GG_ERR_UNAVAILABLE;
    }
    if (!c->transport->ReadSome(c->lines.Input(), left, error)) {
      ProcessLines(c, -1, nullptr);  // events sent before the close
      if (c->transport) {
        Drop(c, error);
      }
      return GG_ERR_UNAVAILABLE;
    }
  }
  Track(c, original, *answer);
  return GG_OK;
}

bool Pump(gg_client* c, int timeout_ms) {
  if (!c->transport) {
    return false;
  }
  std::string error;
  if (!c->transport->ReadSome(c->lines.Input(), timeout_ms, error)) {
    ProcessLines(c, -1, nullptr);
    if (c->transport) {
      Drop(c, error);
    }
    return false;
  }
  ProcessLines(c, -1, nullptr);
  return c->transport != nullptr;
}

int VerdictCall(gg_client* c, json request, gg_verdict* out) {
  json answer;
  if (Call(c, std::move(request), &answer) != GG_OK) {
    ClientDeny(
        out, GG_REASON_AGENT_UNAVAILABLE,
        std::string("The license agent is not reachable: ") + c->last_error);
    return GG_ERR_UNAVAILABLE;
  }
  int rc = VerdictFromAnswer(answer, out);
  if (rc == GG_ERR_REQUEST) {
    SetError(c, std::string(out->error_code) + ": " + out->message);
  } else if (rc == GG_ERR_PROTOCOL) {
    SetError(c, "the agent's answer made no sense: " +
                    answer.dump(-1, ' ', false, json::error_handler_t::replace)
                        .substr(0, 200));
  } else {
    ClearError(c);
  }
  return rc;
}

}  // namespace gg::client_internal
