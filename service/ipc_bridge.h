// IpcBridge: the agent's Engine seen through the IPC server's
// RequestHandler, and the mapping of the engine's answers onto ipc.md's.
// With ServerEventSink (events back into the server), the one place where
// the two layers' vocabularies meet (ipc/ never links agent/).
#ifndef GG_SERVICE_IPC_BRIDGE_H_
#define GG_SERVICE_IPC_BRIDGE_H_

#include <string>

#include "agent/engine/engine.h"
#include "ipc/request_handler.h"

namespace gg::service {

// What `status` shows besides the engine's own snapshot.
struct AgentIdentityInfo {
  std::string version;
  std::string machine_fingerprint;
};

// The wire code of an engine's error answer.
ipc::WireCode ToWireCode(agent::RequestErrorCode code);

// Converts an engine Decision into the verdict or error answer of ipc.md.
ipc::VerdictOrError ToIpcAnswer(const agent::Decision& decision);

// Runs on the loop thread only, like the engine and the server.
class IpcBridge final : public ipc::RequestHandler {
 public:
  IpcBridge(agent::Engine& engine, AgentIdentityInfo identity)
      : engine_(engine), identity_(std::move(identity)) {}

  void Authorize(ipc::ConnectionId connection,
                 const ipc::Peer& peer,
                 const ipc::AuthorizeParams& params,
                 Reply reply) override;
  void Heartbeat(ipc::ConnectionId connection,
                 const ipc::Peer& peer,
                 const std::string& session_id,
                 Reply reply) override;
  std::optional<ipc::ErrorAnswer> Release(
      ipc::ConnectionId connection,
      const ipc::Peer& peer,
      const std::string& session_id) override;
  ipc::StatusInfo Status() override;
  std::vector<ipc::SessionInfo> Sessions() override;
  std::string Metrics() override;
  bool HasSessions(ipc::ConnectionId connection) override;
  void ConnectionClosed(ipc::ConnectionId connection) override;

 private:
  agent::Engine& engine_;
  AgentIdentityInfo identity_;
};

}  // namespace gg::service

#endif  // GG_SERVICE_IPC_BRIDGE_H_
