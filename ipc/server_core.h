// Internal to ipc/: the half of the server that is the same on every OS.
// The per-OS file (server_posix.cpp, server_windows.cpp) only listens and
// accepts; everything a peer can exhaust is decided here, once, for the Unix
// socket and the named pipe alike: who may connect, how many connections in
// all and per uid, and the registry that events, broadcast and drain use.
//
// Loop thread only.
#ifndef GG_IPC_SERVER_CORE_H_
#define GG_IPC_SERVER_CORE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "ipc/asio.h"
#include "ipc/connection.h"
#include "ipc/log_throttle.h"
#include "ipc/server.h"

namespace gg::ipc::internal {

// The server's live connections, by id, with a count per peer uid.
class Registry {
 public:
  ConnectionId NextId() { return ++last_id_; }
  void Add(ConnectionId id, long long uid, std::shared_ptr<ConnectionBase> c);
  void Remove(ConnectionId id);
  std::size_t Size() const { return connections_.size(); }
  std::size_t CountForUid(long long uid) const;
  void PushEvent(ConnectionId id, std::string line);
  void Broadcast(const std::string& line);
  void CloseAllAfterWrites();
  void CloseAll();

 private:
  struct Entry {
    long long uid = -1;
    std::shared_ptr<ConnectionBase> connection;
  };
  ConnectionId last_id_ = 0;
  std::map<ConnectionId, Entry> connections_;
  std::map<long long, std::size_t> per_uid_;
};

// Why a peer was not admitted (or kAdmit).
enum class Admission {
  kAdmit,
  kNotAllowed,  // allowedUids/allowedGroups: closed without an answer
  kBusy,        // maxConnections reached: BUSY, then closed
  kBusyForUid,  // maxConnectionsPerUid reached for this uid: BUSY, closed
};

class ServerCore {
 public:
  ServerCore(asio::io_context& io,
             RequestHandler& handler,
             ServerOptions options,
             long long server_uid)
      : io_(io),
        handler_(handler),
        options_(std::move(options)),
        server_uid_(server_uid) {}

  // The admission rules, in order: allowed lists, then the total, then the
  // peer's uid. A peer whose uid the OS does not tell (-1) shares one slot
  // budget with every other such peer, so not knowing never means no limit.
  Admission Admit(const Peer& peer) const;
  // The BUSY line a refused peer gets (empty for kNotAllowed).
  static std::string RefusalLine(Admission admission);

  // Wraps an accepted, admitted stream in a Connection and starts it;
  // `first_bytes` are what the listener read from it already.
  template <class Stream>
  void AddConnection(Stream stream,
                     const Peer& peer,
                     std::string first_bytes = {}) {
    ConnectionId id = registry_.NextId();
    auto conn = std::make_shared<Connection<Stream>>(
        io_, std::move(stream), id, peer, server_uid_, options_.limits,
        handler_, [this](ConnectionId gone) { registry_.Remove(gone); });
    registry_.Add(id, peer.uid, conn);
    conn->Start(std::move(first_bytes));
  }

  // Best-effort asynchronous refusal: writes `line` (if any) and closes, so
  // a slow refused peer stalls nobody.
  template <class Stream>
  static void Refuse(Stream stream, const std::string& line) {
    auto s = std::make_shared<Stream>(std::move(stream));
    if (line.empty()) {
      asio::error_code ignored;
      s->close(ignored);
      return;
    }
    auto data = std::make_shared<std::string>(line);
    asio::async_write(*s, asio::buffer(*data),
                      [s, data](asio::error_code, std::size_t) {
                        asio::error_code ignored;
                        s->close(ignored);
                      });
  }

  // Admit + AddConnection or Refuse, with the warning a refusal is worth.
  template <class Stream>
  void OnAccepted(Stream stream,
                  const Peer& peer,
                  std::string first_bytes = {}) {
    Admission admission = Admit(peer);
    if (admission == Admission::kAdmit) {
      AddConnection(std::move(stream), peer, std::move(first_bytes));
      return;
    }
    LogRefusal(admission, peer);
    Refuse(std::move(stream), RefusalLine(admission));
  }

  asio::io_context& io() { return io_; }
  const ServerOptions& options() const { return options_; }
  Registry& registry() { return registry_; }
  bool stopped() const { return stopped_; }
  void set_stopped() { stopped_ = true; }

 private:
  void LogRefusal(Admission admission, const Peer& peer) const;

  asio::io_context& io_;
  RequestHandler& handler_;
  ServerOptions options_;
  long long server_uid_;
  Registry registry_;
  // Refusals are the peers' to repeat: a few lines a minute at most.
  mutable LogThrottle refusal_log_{std::chrono::seconds(10)};
  bool stopped_ = false;
};

// The per-OS half: a listening socket or pipe that hands accepted streams
// to ServerCore::OnAccepted. Made by MakeListener, defined once per OS.
class Listener {
 public:
  virtual ~Listener() = default;
  // Binds or adopts the endpoint and starts accepting.
  virtual Status Start() = 0;
  // Stops accepting new peers; idempotent.
  virtual void StopAccepting() = 0;
  // Removes what Start created on disk (the socket file); idempotent.
  virtual void RemoveEndpoint() = 0;
};

std::unique_ptr<Listener> MakeListener(ServerCore& core);
// The uid the agent runs as (the `sessions` and ownership checks); -1 where
// the OS has no uids.
long long OwnUid();

}  // namespace gg::ipc::internal

namespace gg::ipc {

struct Server::Impl {
  Impl(asio::io_context& io, RequestHandler& handler, ServerOptions options)
      : core(io, handler, std::move(options), internal::OwnUid()),
        listener(internal::MakeListener(core)) {}

  internal::ServerCore core;
  std::unique_ptr<internal::Listener> listener;
};

}  // namespace gg::ipc

#endif  // GG_IPC_SERVER_CORE_H_
