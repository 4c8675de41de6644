// Internal to libggclient: events waiting for the app, bounded (issue 16
// point 4: a fake agent made one authorize queue 1.33 M events). Only
// events for this handle's own sessions and the shutdown event are kept,
// and they coalesce: one pending event per session (the newest; a session
// that is lost stays lost) and one shutdown. So the queue never holds more
// than the handle's session bound plus one.
#ifndef GG_IPC_CLIENT_EVENT_QUEUE_H_
#define GG_IPC_CLIENT_EVENT_QUEUE_H_

#include <cstddef>
#include <deque>

#include "gg/client.h"

namespace gg::client_internal {

class EventQueue {
 public:
  explicit EventQueue(std::size_t max) : max_(max) {}
  // Adds or replaces. False when dropped (full and nothing to coalesce).
  bool Push(const gg_event& event);
  bool Pop(gg_event& out);
  std::size_t size() const { return events_.size(); }

 private:
  std::size_t max_;
  std::deque<gg_event> events_;
};

}  // namespace gg::client_internal

#endif  // GG_IPC_CLIENT_EVENT_QUEUE_H_
