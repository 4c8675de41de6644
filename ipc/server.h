// The local IPC server (spec/ipc.md): a Unix domain stream socket on
// Linux/macOS, a named pipe on Windows, one event loop, no thread per
// connection. Requests go to a RequestHandler through a Dispatcher.
//
// server.cpp holds everything that is the same on every OS (who is
// admitted, the connection limits, events, drain); server_posix.cpp and
// server_windows.cpp only listen and accept (server_core.h).
//
// Threads: construct, Start and Stop on the loop's thread (or before it
// runs). PushVerdictEvent and Drain may be called from any thread: they
// post to the loop. The io_context and the handler are owned
// by the caller and must outlive the server; destroy the server (which
// stops it) before the io_context.
#ifndef GG_IPC_SERVER_H_
#define GG_IPC_SERVER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipc/asio.h"
#include "ipc/dispatcher.h"
#include "ipc/request_handler.h"
#include "platform/result.h"

namespace gg::ipc {

struct ServerOptions {
  // Socket path (POSIX) or pipe name (Windows, e.g. \\.\pipe\gg-agent).
  std::string path;
  // POSIX modes: 0600 + 0700 in user mode, 0660 + 0755 for the system
  // service. The directory is created if missing, never re-moded if present.
  unsigned socket_mode = 0600;
  unsigned directory_mode = 0700;
  std::optional<std::string> socket_group;  // chgrp of the socket
  // Descriptors handed over by socket activation (ParseListenFds); when
  // non-empty the first is used and nothing is bound or unlinked.
  std::vector<int> activated_fds;
  // When either is non-empty, only peers with a listed uid or group may
  // connect (no implicit exceptions, root included); others are closed at
  // accept without an answer.
  std::vector<long long> allowed_uids;
  std::vector<long long> allowed_gids;
  Limits limits;
};

class Server {
 public:
  Server(asio::io_context& io, RequestHandler& handler, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (replacing a stale socket only after a connect to it failed) and
  // starts accepting. ADDRESS_IN_USE when a live agent answers on the path;
  // IO for any other failure. The caller exits 1 on either.
  Status Start();
  // Stops accepting, closes every connection (each gets ConnectionClosed)
  // and removes the socket file it created.
  void Stop();

  void PushVerdictEvent(ConnectionId connection,
                        std::string session_id,
                        Verdict verdict);
  // Graceful close, from any thread: stops accepting, sends the shutdown
  // event, and closes each connection once its queued lines are written.
  // A peer that never reads keeps its connection until Stop(), which the
  // caller runs after a bounded wait.
  void Drain();

  std::size_t ConnectionCount() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;  // shared so posted tasks can hold a weak_ptr
};

}  // namespace gg::ipc

#endif  // GG_IPC_SERVER_H_
