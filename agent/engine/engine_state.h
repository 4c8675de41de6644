// Engine internals shared by its files (engine.cpp: asks and answers;
// engine_sessions.cpp: heartbeats, releases, expiry; engine_lifecycle.cpp:
// start, time marks, stop; engine_upstream.cpp; engine_verify.cpp); not
// part of the engine's interface.
#ifndef GG_AGENT_ENGINE_ENGINE_STATE_H_
#define GG_AGENT_ENGINE_ENGINE_STATE_H_

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/engine/engine.h"

namespace gg::agent {

// One ask waiting for an upstream answer.
struct Engine::Waiter {
  enum class Kind { kAuthorize, kHeartbeat };
  Kind kind = Kind::kAuthorize;
  std::uint64_t id = 0;
  AuthorizeInput input;    // kAuthorize
  std::string session_id;  // kHeartbeat
  Callback done;
  Scheduler::TimerId deadline = 0;
  MonoTime started{};   // when the engine got the ask (for the latency)
  bool waited = false;  // waited for upstream (not answered from cache)
};

// Everything the engine holds for one (productId, licenseKey).
struct Engine::KeyState {
  store::VerdictKey key;
  std::string key_string;               // KeyString(key)
  std::optional<CachedVerdict> cached;  // verified, for this machine
  std::list<KeyState*>::iterator lru;   // in Engine::lru_ while `cached`
  // Its asks wait (in `waiters`) for the start pass or for its row to be
  // read from disk; no upstream request is in flight meanwhile.
  bool loading = false;
  // Resume is answering its parked asks: kept until it is done.
  bool resuming = false;
  bool in_flight = false;          // one upstream request at a time
  bool refresh_in_flight = false;  // ... started by a refresh
  // The disk still holds a verdict that memory has replaced by a denial
  // (or dropped): the write and the fallback delete both failed. Retried
  // with each time-mark persist until one succeeds.
  bool disk_stale = false;
  // The last attempt of the request in flight reached no server (refused,
  // unreachable, TLS): asks are answered by the offline rules at once
  // while the retries go on behind. Cleared when the request ends.
  std::unique_ptr<upstream::Outcome> unreachable;  // by pointer, as above
  // Writes and deletes of this key's row submitted to the store worker and
  // not completed yet: their completions hold a pointer to this state, so
  // it is not forgotten until they ran.
  int store_pending = 0;
  std::vector<Waiter> waiters;
  Scheduler::TimerId refresh_timer = 0;
};

// An error answer (ipc.md "Errors") with `message` for people.
Decision ErrorDecision(RequestErrorCode code, std::string message);
// The answer to an ask that comes while the agent stops (or before it
// started): AGENT_OFFLINE, from the agent itself.
Decision StoppingDecision();
// The answer to an ask whose deadline passed before the start pass had
// verified the cache: AGENT_OFFLINE, from the agent itself.
Decision StartingDecision();

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_ENGINE_STATE_H_
