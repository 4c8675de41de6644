#include "ipc/client/event_queue.h"

#include <cstring>

namespace gg::client_internal {

bool EventQueue::Push(const gg_event& event) {
  const bool shutdown = std::strcmp(event.type, GG_EVENT_SHUTDOWN) == 0;
  for (gg_event& queued : events_) {
    const bool queued_shutdown =
        std::strcmp(queued.type, GG_EVENT_SHUTDOWN) == 0;
    if (shutdown != queued_shutdown) {
      continue;
    }
    if (shutdown || std::strcmp(queued.session_id, event.session_id) == 0) {
      // A lost session is not revived by a later verdict for its old id.
      if (std::strcmp(queued.type, GG_EVENT_SESSION_LOST) != 0) {
        queued = event;
      }
      return true;
    }
  }
  if (events_.size() >= max_) {
    return false;
  }
  events_.push_back(event);
  return true;
}

bool EventQueue::Pop(gg_event& out) {
  if (events_.empty()) {
    return false;
  }
  out = events_.front();
  events_.pop_front();
  return true;
}

}  // namespace gg::client_internal
