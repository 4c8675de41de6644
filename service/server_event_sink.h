// ServerEventSink: the engine's verdict events (ipc.md "Events") written
// straight to the IPC server's connections, with no stop on the way.
//
// Built before the engine, which takes it as its EventSink, and attached
// to the server once the server exists (the server needs the request
// handler, which needs the engine). Until then events go nowhere: no
// connection, so no session, exists before the server does. Loop thread
// only, like the engine and the server.
#ifndef GG_SERVICE_SERVER_EVENT_SINK_H_
#define GG_SERVICE_SERVER_EVENT_SINK_H_

#include <string>

#include "agent/engine/engine.h"
#include "ipc/server.h"

namespace gg::service {

class ServerEventSink final : public agent::EventSink {
 public:
  // `server` must outlive the attachment; Attach(nullptr) detaches.
  void Attach(ipc::Server* server) { server_ = server; }

  // A verdict to a session's connection; an error answer is never an
  // event, and a connection that closed meanwhile is skipped by the server.
  void OnSessionVerdict(agent::ConnectionId connection_id,
                        const std::string& session_id,
                        const agent::Decision& decision) override;

 private:
  ipc::Server* server_ = nullptr;
};

}  // namespace gg::service

#endif  // GG_SERVICE_SERVER_EVENT_SINK_H_
