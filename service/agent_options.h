// The configuration file mapped onto each part's own options. Pure, so the
// mapping is tested without starting anything.
#ifndef GG_SERVICE_AGENT_OPTIONS_H_
#define GG_SERVICE_AGENT_OPTIONS_H_

#include <optional>
#include <vector>

#include "agent/config/config.h"
#include "agent/engine/engine.h"
#include "agent/upstream/authorize_client.h"
#include "ipc/server.h"

namespace gg::service {

upstream::AuthorizeClientOptions UpstreamOptionsFrom(
    const config::Config& config);

agent::EngineOptions EngineOptionsFrom(const config::Config& config);

// `group_ids` are ipc.allowedGroups resolved to ids by the caller.
ipc::ServerOptions ServerOptionsFrom(const config::Config& config,
                                     std::vector<int> activated_fds,
                                     std::vector<long long> group_ids);

// Descriptors kept for everything but connections (the store, upstream
// sockets, the loop's own, logs, refused peers in passing).
inline constexpr long long kReservedFds = 64;

// Holds limits.max_connections below what `fd_limit` really allows (a
// connection is one descriptor) and records the limit for `status`. True
// when max_connections was lowered.
bool FitConnectionsToFdLimit(ipc::Limits& limits,
                             std::optional<long long> fd_limit);

// The names of settings that differ between `a` and `b` and take effect
// only at the next start (server, ipc, state, hwid): a reload reports them.
std::vector<std::string> SettingsNeedingRestart(const config::Config& a,
                                                const config::Config& b);

}  // namespace gg::service

#endif  // GG_SERVICE_AGENT_OPTIONS_H_
