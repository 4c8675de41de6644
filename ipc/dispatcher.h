// One connection's protocol state, without a socket: framing, validation,
// dispatch to the RequestHandler, in-order answers and events in between.
// The server feeds it bytes and gives it a way to write, close and post.
//
// Threads: every member is called on the event-loop thread. A handler's
// `reply` may come from any thread; it is posted back to the loop first.
#ifndef GG_IPC_DISPATCHER_H_
#define GG_IPC_DISPATCHER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/protocol.h"
#include "ipc/request_handler.h"

namespace gg::ipc {

// The spec's limits, every one configurable.
struct Limits {
  std::size_t max_connections = 1024;
  // Well below max_connections, so one user cannot take every slot.
  std::size_t max_connections_per_uid = 64;
  std::size_t max_in_flight = 32;  // per connection
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds partial_line_timeout{10000};
  std::size_t max_frame_bytes = kMaxFrameBytes;
  // Answer and event bytes queued for a peer before the server stops
  // reading its requests; a peer that drains nothing for idle_timeout is
  // closed.
  std::size_t max_queued_bytes = 256 * 1024;
  // The process's descriptor limit, for `status` (0: unknown); the caller
  // keeps max_connections below it.
  std::size_t fd_limit = 0;
};

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  struct Io {
    std::function<void(std::string)> write;  // one or more whole lines
    std::function<void()> close;             // after pending writes
    // Runs a task on the loop thread (asio::post in the server).
    std::function<void(std::function<void()>)> post;
  };

  // `handler` must outlive the dispatcher and every pending reply.
  Dispatcher(ConnectionId id,
             Peer peer,
             long long server_uid,
             Limits limits,
             RequestHandler& handler,
             Io io);

  // Bytes read from the peer. After a frame over the limit it answers
  // FRAME_TOO_LARGE, asks to close, and ignores further input. Returns the
  // number of requests among them (complete, non-blank lines): only those
  // count as activity for the idle timer.
  std::size_t OnBytes(std::string_view bytes);
  // Pushes an event line now, between whole answers.
  void PushEvent(std::string line);
  // Stops answering (the connection is closing); late replies are dropped.
  void Shutdown() { closed_ = true; }

  bool HasPartialLine() const { return framer_.HasPartial(); }
  bool HasSession() const { return handler_.HasSessions(id_); }
  std::size_t InFlight() const { return pending_; }
  ConnectionId id() const { return id_; }
  const Peer& peer() const { return peer_; }

 private:
  struct Slot {
    std::optional<std::string> answer;  // ready line, in request order
  };

  void HandleLine(const std::string& line);
  void Dispatch(Request request, const std::shared_ptr<Slot>& slot);
  void DispatchUnguarded(Request request,
                         const std::shared_ptr<Slot>& slot,
                         const std::shared_ptr<std::atomic<bool>>& used);
  RequestHandler::Reply MakeReply(std::shared_ptr<Slot> slot,
                                  nlohmann::json id,
                                  std::shared_ptr<std::atomic<bool>> used);
  void Complete(const std::shared_ptr<Slot>& slot, std::string line);
  void Flush();

  ConnectionId id_;
  Peer peer_;
  long long server_uid_;
  Limits limits_;
  RequestHandler& handler_;
  Io io_;
  LineFramer framer_;
  std::deque<std::shared_ptr<Slot>> slots_;
  std::size_t pending_ = 0;
  bool closed_ = false;
};

}  // namespace gg::ipc

#endif  // GG_IPC_DISPATCHER_H_
