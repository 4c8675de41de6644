// The process's open-file limit, which bounds how many connections the
// agent can really hold (issue 16 point 3).
#ifndef GG_SERVICE_FD_LIMIT_H_
#define GG_SERVICE_FD_LIMIT_H_

#include <optional>

namespace gg::service {

// Raises the soft RLIMIT_NOFILE to the hard limit (systemd's default soft
// limit of 1024 is meant for select(); the agent uses epoll/kqueue) and
// returns the soft limit now in force. nullopt where the OS has no such
// per-process limit (Windows). Logs, never fails: the old limit then stays.
std::optional<long long> RaiseFdLimit();

}  // namespace gg::service

#endif  // GG_SERVICE_FD_LIMIT_H_
