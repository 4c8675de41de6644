// EndedSessions: sessions the agent ended on a denial, remembered for a
// while so a heartbeat of one answers that denial (reason, message, source)
// instead of SESSION_NOT_FOUND (ipc.md "heartbeat"; issue 17 point 1).
//
// Bounded: at most `max` entries; past it the oldest goes first. An entry is
// kept at least `keep` (the session heartbeat timeout) unless the bound
// pushes it out. Not thread-safe: the engine's loop thread only. No I/O.
#ifndef GG_AGENT_ENGINE_ENDED_SESSIONS_H_
#define GG_AGENT_ENGINE_ENDED_SESSIONS_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "agent/engine/decision.h"
#include "platform/clock.h"

namespace gg::agent {

class EndedSessions {
 public:
  explicit EndedSessions(std::size_t max = 4096) : max_(max) {}

  // Records that `session_id` ended at `now` with `denial`.
  void Add(const std::string& session_id, const Decision& denial, MonoTime now);
  // The denial that ended `session_id`, if it ended less than `keep` ago.
  const Decision* Find(const std::string& session_id,
                       MonoTime now,
                       std::chrono::seconds keep);
  std::size_t size() const { return by_id_.size(); }

 private:
  struct Entry {
    Decision denial;
    MonoTime ended;
  };
  void Prune(MonoTime now, std::chrono::seconds keep);

  std::size_t max_;
  std::unordered_map<std::string, Entry> by_id_;
  std::deque<std::string> order_;  // oldest first
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_ENDED_SESSIONS_H_
