#include "service/server_event_sink.h"

#include <utility>
#include <variant>

#include "service/ipc_bridge.h"

namespace gg::service {

void ServerEventSink::OnSessionVerdict(agent::ConnectionId connection_id,
                                       const std::string& session_id,
                                       const agent::Decision& decision) {
  if (!server_)
    return;
  auto answer = ToIpcAnswer(decision);
  if (auto* verdict = std::get_if<ipc::Verdict>(&answer))
    server_->PushVerdictEvent(connection_id, session_id, std::move(*verdict));
}

}  // namespace gg::service
