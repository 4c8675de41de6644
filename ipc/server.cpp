// The OS-independent half of the IPC server (server_core.h): admission,
// the connection registry, events, broadcast, drain and stop.
#include "ipc/server.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "ipc/peer_credentials.h"
#include "ipc/server_core.h"

namespace gg::ipc {
namespace internal {

void Registry::Add(ConnectionId id,
                   long long uid,
                   std::shared_ptr<ConnectionBase> c) {
  connections_[id] = Entry{uid, std::move(c)};
  ++per_uid_[uid];
}

void Registry::Remove(ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) {
    return;
  }
  auto count = per_uid_.find(it->second.uid);
  if (count != per_uid_.end() && --count->second == 0) {
    per_uid_.erase(count);
  }
  connections_.erase(it);
}

std::size_t Registry::CountForUid(long long uid) const {
  auto it = per_uid_.find(uid);
  return it == per_uid_.end() ? 0 : it->second;
}

void Registry::PushEvent(ConnectionId id, std::string line) {
  auto it = connections_.find(id);
  if (it != connections_.end()) {
    it->second.connection->PushEvent(std::move(line));
  }
}

void Registry::Broadcast(const std::string& line) {
  for (auto& [id, entry] : connections_) {
    entry.connection->PushEvent(line);
  }
}

void Registry::CloseAllAfterWrites() {
  auto all = connections_;  // a close may remove entries
  for (auto& [id, entry] : all) {
    entry.connection->CloseAfterWrites();
  }
}

void Registry::CloseAll() {
  auto all = std::move(connections_);
  connections_.clear();
  per_uid_.clear();
  for (auto& [id, entry] : all) {
    entry.connection->Close();
  }
}

Admission ServerCore::Admit(const Peer& peer) const {
  const auto& uids = options_.allowed_uids;
  const auto& gids = options_.allowed_gids;
  if (!uids.empty() || !gids.empty()) {
    const bool uid_listed = peer.uid >= 0 && std::find(uids.begin(), uids.end(),
                                                       peer.uid) != uids.end();
    if (!uid_listed && (gids.empty() || !PeerInGroups(peer, gids))) {
      return Admission::kNotAllowed;
    }
  }
  if (registry_.Size() >= options_.limits.max_connections) {
    return Admission::kBusy;
  }
  if (registry_.CountForUid(peer.uid) >=
      options_.limits.max_connections_per_uid) {
    return Admission::kBusyForUid;
  }
  return Admission::kAdmit;
}

std::string ServerCore::RefusalLine(Admission admission) {
  switch (admission) {
    case Admission::kBusy:
      return EncodeError(
          nullptr, MakeErrorAnswer(WireCode::kBusy, "too many connections"));
    case Admission::kBusyForUid:
      return EncodeError(
          nullptr, MakeErrorAnswer(WireCode::kBusy,
                                   "too many connections from this user"));
    case Admission::kAdmit:
    case Admission::kNotAllowed:
      break;
  }
  return {};
}

void ServerCore::LogRefusal(Admission admission, const Peer& peer) const {
  auto held_back = refusal_log_.Allow(LogThrottle::Clock::now());
  if (!held_back) {
    return;
  }
  if (*held_back > 0) {
    spdlog::warn("ipc: {} more refused connections not logged", *held_back);
  }
  switch (admission) {
    case Admission::kNotAllowed:
      spdlog::warn("ipc: refused peer pid={} uid={} (not allowed)", peer.pid,
                   peer.uid);
      break;
    case Admission::kBusy:
      spdlog::warn("ipc: refused peer pid={} uid={}: {} connections open",
                   peer.pid, peer.uid, registry_.Size());
      break;
    case Admission::kBusyForUid:
      spdlog::warn(
          "ipc: refused peer pid={} uid={}: this uid holds {} connections "
          "(ipc.maxConnectionsPerUid)",
          peer.pid, peer.uid, registry_.CountForUid(peer.uid));
      break;
    case Admission::kAdmit:
      break;
  }
}

}  // namespace internal

Server::Server(asio::io_context& io,
               RequestHandler& handler,
               ServerOptions options)
    : impl_(std::make_shared<Impl>(io, handler, std::move(options))) {}

Server::~Server() {
  Stop();
}

Status Server::Start() {
  return impl_->listener->Start();
}

void Server::Stop() {
  if (impl_->core.stopped()) {
    return;
  }
  impl_->core.set_stopped();
  impl_->listener->StopAccepting();
  impl_->core.registry().CloseAll();
  impl_->listener->RemoveEndpoint();
}

void Server::PushVerdictEvent(ConnectionId connection,
                              std::string session_id,
                              Verdict verdict) {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->core.io(),
             [weak, connection, session_id = std::move(session_id),
              verdict = std::move(verdict)] {
               if (auto impl = weak.lock()) {
                 impl->core.registry().PushEvent(
                     connection, EncodeVerdictEvent(session_id, verdict));
               }
             });
}

void Server::Drain() {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->core.io(), [weak] {
    if (auto impl = weak.lock()) {
      impl->listener->StopAccepting();
      impl->core.registry().Broadcast(EncodeShutdownEvent());
      impl->core.registry().CloseAllAfterWrites();
    }
  });
}

std::size_t Server::ConnectionCount() const {
  return impl_->core.registry().Size();
}

}  // namespace gg::ipc
