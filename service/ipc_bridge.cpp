#include "service/ipc_bridge.h"

#include "platform/time_format.h"
#include "service/metrics_text.h"

namespace gg::service {
namespace {

template <class Time>
std::optional<std::string> OptionalTime(const std::optional<Time>& t) {
  if (!t)
    return std::nullopt;
  return FormatRfc3339(*t);
}

int ToInt(long long v) {
  return static_cast<int>(v);
}

agent::SessionCaller CallerOf(ipc::ConnectionId connection,
                              const ipc::Peer& peer) {
  return {connection, ToInt(peer.uid), ToInt(peer.pid), peer.privileged};
}

}  // namespace

ipc::WireCode ToWireCode(agent::RequestErrorCode code) {
  switch (code) {
    case agent::RequestErrorCode::kValidation:
      return ipc::WireCode::kValidationError;
    case agent::RequestErrorCode::kSessionNotFound:
      return ipc::WireCode::kSessionNotFound;
    case agent::RequestErrorCode::kRateLimited:
      return ipc::WireCode::kRateLimited;
    case agent::RequestErrorCode::kInternal:
      return ipc::WireCode::kInternal;
  }
  return ipc::WireCode::kInternal;
}

ipc::VerdictOrError ToIpcAnswer(const agent::Decision& decision) {
  if (decision.error) {
    ipc::ErrorAnswer error{ToWireCode(decision.error->code),
                           decision.error->message,
                           {},
                           decision.error->retry_after_seconds};
    for (const auto& d : decision.error->details)
      error.details.emplace_back(d.field, d.message);
    return error;
  }
  ipc::Verdict v;
  v.allow = decision.allow;
  if (!decision.allow)
    v.reason_code = decision.reason_code;
  v.message = decision.message;
  v.source = std::string(agent::SourceName(decision.source));
  if (!decision.session_id.empty())
    v.session_id = decision.session_id;
  v.effective_expires_at = OptionalTime(decision.effective_expires_at);
  v.grace_ends_at = OptionalTime(decision.grace_ends_at);
  if (!decision.license_id.empty())
    v.license_id = decision.license_id;
  return v;
}

void IpcBridge::Authorize(ipc::ConnectionId connection,
                          const ipc::Peer& peer,
                          const ipc::AuthorizeParams& params,
                          Reply reply) {
  agent::AuthorizeInput input;
  input.product_id = params.product_id;
  input.license_key = params.license_key;
  if (params.app) {
    input.app_name = params.app->name;
    input.app_version = params.app->version;
  }
  input.detached = params.detached;
  input.pid = ToInt(peer.pid);
  input.uid = ToInt(peer.uid);
  input.gid = ToInt(peer.gid);
  input.connection_id = connection;
  engine_.Authorize(std::move(input),
                    [reply = std::move(reply)](agent::Decision decision) {
                      reply(ToIpcAnswer(decision));
                    });
}

void IpcBridge::Heartbeat(ipc::ConnectionId connection,
                          const ipc::Peer& peer,
                          const std::string& session_id,
                          Reply reply) {
  engine_.Heartbeat(session_id, CallerOf(connection, peer),
                    [reply = std::move(reply)](agent::Decision decision) {
                      reply(ToIpcAnswer(decision));
                    });
}

std::optional<ipc::ErrorAnswer> IpcBridge::Release(
    ipc::ConnectionId connection,
    const ipc::Peer& peer,
    const std::string& session_id) {
  if (engine_.Release(session_id, CallerOf(connection, peer)))
    return std::nullopt;
  return ipc::ErrorAnswer{
      ipc::WireCode::kSessionNotFound, "no such session", {}};
}

ipc::StatusInfo IpcBridge::Status() {
  agent::EngineStatus s = engine_.StatusSnapshot();
  ipc::StatusInfo info;
  info.version = identity_.version;
  info.machine_fingerprint = identity_.machine_fingerprint;
  info.instance_id = s.instance_id;
  info.online = s.online;
  info.last_attempt_at = OptionalTime(s.last_attempt_at);
  info.last_contact_at = OptionalTime(s.last_contact_at);
  if (s.last_error)
    info.last_error = ipc::LastError{s.last_error->code,
                                     s.last_error->message,
                                     s.last_error->request_id,
                                     FormatRfc3339(s.last_error->since),
                                     FormatRfc3339(s.last_error->at),
                                     s.last_error->failed_attempts};
  if (s.rate_limit) {
    const auto& r = s.rate_limit->info;
    ipc::RateLimitInfo rl;
    rl.remaining = r.remaining;
    rl.limit = r.limit;
    rl.reset = r.reset;
    if (r.retry_after)
      rl.retry_after_seconds = r.retry_after->count();
    rl.observed_at = FormatRfc3339(s.rate_limit->observed_at);
    info.rate_limit = std::move(rl);
  }
  info.sessions = static_cast<long long>(s.sessions);
  info.cached_verdicts = static_cast<long long>(s.cached_verdicts);
  info.verdicts_in_memory = static_cast<long long>(s.verdicts_in_memory);
  info.uptime_seconds = s.uptime_seconds;
  if (s.store_error)
    info.store_error = ipc::LastError{s.store_error->code,
                                      s.store_error->message,
                                      "",
                                      FormatRfc3339(s.store_error->since),
                                      FormatRfc3339(s.store_error->at),
                                      s.store_error->failed_attempts};
  return info;
}

std::vector<ipc::SessionInfo> IpcBridge::Sessions() {
  std::vector<ipc::SessionInfo> out;
  for (const auto& s : engine_.ListSessions()) {
    ipc::SessionInfo info;
    info.session_id = s.id;
    info.product_id = s.key.product_id;
    info.pid = s.pid;
    info.uid = s.uid;
    if (!s.app_name.empty() || !s.app_version.empty())
      info.app = ipc::AppInfo{s.app_name, s.app_version};
    info.opened_at = FormatRfc3339(s.opened_at);
    info.last_seen_at = FormatRfc3339(s.last_seen_at);
    out.push_back(std::move(info));
  }
  return out;
}

std::string IpcBridge::Metrics() {
  return RenderMetrics(engine_.MetricsSnapshot(), identity_.version);
}

bool IpcBridge::HasSessions(ipc::ConnectionId connection) {
  return engine_.HasSessionsOn(connection);
}

void IpcBridge::ConnectionClosed(ipc::ConnectionId connection) {
  engine_.ConnectionClosed(connection);
}

}  // namespace gg::service
