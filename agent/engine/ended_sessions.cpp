#include "agent/engine/ended_sessions.h"

namespace gg::agent {

void EndedSessions::Add(const std::string& session_id,
                        const Decision& denial,
                        MonoTime now) {
  if (max_ == 0) {
    return;
  }
  if (by_id_.count(session_id) != 0) {
    return;  // the first denial is the one that ended it
  }
  while (by_id_.size() >= max_ && !order_.empty()) {
    by_id_.erase(order_.front());
    order_.pop_front();
  }
  Decision d = denial;
  d.session_id = session_id;
  by_id_.emplace(session_id, Entry{std::move(d), now});
  order_.push_back(session_id);
}

const Decision* EndedSessions::Find(const std::string& session_id,
                                    MonoTime now,
                                    std::chrono::seconds keep) {
  Prune(now, keep);
  auto it = by_id_.find(session_id);
  return it == by_id_.end() ? nullptr : &it->second.denial;
}

void EndedSessions::Prune(MonoTime now, std::chrono::seconds keep) {
  while (!order_.empty()) {
    auto it = by_id_.find(order_.front());
    if (it != by_id_.end() && now - it->second.ended <= keep) {
      return;
    }
    if (it != by_id_.end()) {
      by_id_.erase(it);
    }
    order_.pop_front();
  }
}

}  // namespace gg::agent
