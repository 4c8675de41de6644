#include "service/agent_options.h"

#include <algorithm>

namespace gg::service {

upstream::AuthorizeClientOptions UpstreamOptionsFrom(
    const config::Config& config) {
  const auto& s = config.server;
  upstream::AuthorizeClientOptions o;
  o.base_url = s.base_url;
  o.api_key = s.api_key;
  o.signing_secret = s.signing_secret;
  o.response_public_keys = s.response_public_keys;
  if (s.ca_file)
    o.ca_file = s.ca_file->string();
  if (s.pinned_public_keys && !s.pinned_public_keys->empty()) {
    std::string pins;
    for (const auto& pin : *s.pinned_public_keys)
      pins += (pins.empty() ? "" : ";") + pin;
    o.pinned_public_keys = pins;
  }
  o.proxy = s.proxy;
  o.connect_timeout = std::chrono::milliseconds(s.connect_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(s.request_timeout_ms);
  o.max_retry_after = std::chrono::seconds(s.max_retry_after_seconds);
  return o;
}

agent::EngineOptions EngineOptionsFrom(const config::Config& config) {
  const auto& p = config.policy;
  agent::EngineOptions o;
  o.policy.cache_ttl_seconds = p.cache_ttl_seconds;
  o.policy.deny_cache_seconds = p.deny_cache_seconds;
  o.policy.offline_grace_seconds = p.offline_grace_seconds;
  o.policy.max_concurrent_sessions = p.max_concurrent_sessions;
  o.session_heartbeat_timeout =
      std::chrono::seconds(p.session_heartbeat_timeout_seconds);
  o.clock_rollback_tolerance_seconds = p.clock_rollback_tolerance_seconds;
  o.request_deadline = std::chrono::milliseconds(p.request_deadline_ms);
  o.upstream_per_uid_per_minute = p.upstream_per_uid_per_minute;
  o.max_cached_verdicts =
      static_cast<std::size_t>(config.state.max_verdicts_in_memory);
  return o;
}

ipc::ServerOptions ServerOptionsFrom(const config::Config& config,
                                     std::vector<int> activated_fds,
                                     std::vector<long long> group_ids) {
  const auto& c = config.ipc;
  ipc::ServerOptions o;
  o.path = c.path.string();
  o.socket_mode = c.mode;
  // A socket others may use sits in a directory they can enter (the
  // system layout: /run/gg-agent 0755); a private one in a private one.
  o.directory_mode = (c.mode & 0066) ? 0755 : 0700;
  o.socket_group = c.group;
  o.activated_fds = std::move(activated_fds);
  if (c.allowed_uids)
    o.allowed_uids.assign(c.allowed_uids->begin(), c.allowed_uids->end());
  o.allowed_gids = std::move(group_ids);
  o.limits.max_connections = static_cast<std::size_t>(c.max_connections);
  o.limits.max_connections_per_uid =
      static_cast<std::size_t>(c.max_connections_per_uid);
  o.limits.max_in_flight =
      static_cast<std::size_t>(c.max_in_flight_per_connection);
  o.limits.idle_timeout = std::chrono::seconds(c.idle_timeout_seconds);
  return o;
}

bool FitConnectionsToFdLimit(ipc::Limits& limits,
                             std::optional<long long> fd_limit) {
  if (!fd_limit || *fd_limit <= 0) {
    return false;
  }
  limits.fd_limit = static_cast<std::size_t>(*fd_limit);
  // A tiny limit still leaves a few connections rather than none.
  const long long usable = std::max(*fd_limit - kReservedFds, *fd_limit / 2);
  const auto cap = static_cast<std::size_t>(std::max(1LL, usable));
  if (limits.max_connections <= cap) {
    return false;
  }
  limits.max_connections = cap;
  return true;
}

std::vector<std::string> SettingsNeedingRestart(const config::Config& a,
                                                const config::Config& b) {
  std::vector<std::string> changed;
  const auto& sa = a.server;
  const auto& sb = b.server;
  if (sa.base_url != sb.base_url || sa.api_key != sb.api_key ||
      sa.signing_secret != sb.signing_secret ||
      sa.response_public_keys != sb.response_public_keys ||
      sa.ca_file != sb.ca_file ||
      sa.pinned_public_keys != sb.pinned_public_keys || sa.proxy != sb.proxy ||
      sa.connect_timeout_ms != sb.connect_timeout_ms ||
      sa.request_timeout_ms != sb.request_timeout_ms ||
      sa.max_retry_after_seconds != sb.max_retry_after_seconds)
    changed.push_back("server");
  const auto& ia = a.ipc;
  const auto& ib = b.ipc;
  if (ia.path != ib.path || ia.mode != ib.mode || ia.group != ib.group ||
      ia.allowed_uids != ib.allowed_uids ||
      ia.allowed_groups != ib.allowed_groups ||
      ia.max_connections != ib.max_connections ||
      ia.max_connections_per_uid != ib.max_connections_per_uid ||
      ia.max_in_flight_per_connection != ib.max_in_flight_per_connection ||
      ia.idle_timeout_seconds != ib.idle_timeout_seconds)
    changed.push_back("ipc");
  if (a.state.dir != b.state.dir)
    changed.push_back("state");
  if (a.hwid.root != b.hwid.root ||
      a.hwid.match_threshold != b.hwid.match_threshold)
    changed.push_back("hwid");
  return changed;
}

}  // namespace gg::service
