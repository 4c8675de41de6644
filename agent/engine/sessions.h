// SessionTable: the open sessions of protected apps (ipc.md "sessions").
//
// A session is connection-bound (ends when its connection closes or on
// release) or detached (outlives its connection; ends on release, when no
// heartbeat came for the heartbeat timeout, or when the process that opened
// it is gone: its pid no longer has the start time read at open). Counts
// are kept per (productId, licenseKey) for the local concurrency limit and
// the `sessions` reported upstream.
//
// Not thread-safe: owned by the engine, used on its loop thread. The only
// I/O is through the ProcessProbe (at Open and in ExpireDetached).
#ifndef GG_AGENT_ENGINE_SESSIONS_H_
#define GG_AGENT_ENGINE_SESSIONS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/store/verdict_store.h"
#include "platform/clock.h"
#include "platform/process_probe.h"
#include "platform/result.h"

namespace gg::agent {

using ConnectionId = std::uint64_t;

struct Session {
  std::string id;  // "s_" + 32 hex
  store::VerdictKey key;
  ConnectionId connection_id = 0;
  bool detached = false;
  int pid = 0;
  int uid = -1;
  int gid = -1;
  std::string app_name;
  std::string app_version;
  WallTime opened_at;
  WallTime last_seen_at;
  MonoTime last_seen_mono;
  // Detached only: the opener's process, watched from open on; null when
  // it cannot be watched (then only the heartbeat timeout ends it). Shared
  // so that List() copies do not close it.
  std::shared_ptr<ProcessHandle> process;
};

// The map key of a VerdictKey: productId NUL licenseKey.
std::string KeyString(const store::VerdictKey& key);

class SessionTable {
 public:
  // `probe` must outlive the table.
  explicit SessionTable(ProcessProbe& probe) : probe_(probe) {}

  // Opens `session` (id assigned here, from a CSPRNG; its process watched
  // when detached). Error only when the random source fails.
  [[nodiscard]] Result<const Session*> Open(Session session);

  // Null when unknown. The pointer is valid until the session ends.
  const Session* Find(const std::string& id) const;
  // Records a heartbeat; false when unknown.
  bool Touch(const std::string& id, WallTime now, MonoTime mono);
  // Ends one session; nullopt when unknown.
  std::optional<Session> Release(const std::string& id);
  // Ends the connection-bound sessions of a closed connection.
  std::vector<Session> ReleaseConnection(ConnectionId connection_id);
  // Ends every session of `key` (its license is now denied).
  std::vector<Session> ReleaseKey(const store::VerdictKey& key);
  // Ends detached sessions with no heartbeat for `timeout`, or whose
  // process has exited. A session whose process could not be watched at
  // open (pid unknown) ends on the heartbeat timeout only.
  std::vector<Session> ExpireDetached(MonoTime now,
                                      std::chrono::seconds timeout);

  int CountFor(const store::VerdictKey& key) const;
  std::vector<store::VerdictKey> KeysWithSessions() const;
  std::size_t size() const { return sessions_.size(); }
  bool HasDetached() const { return detached_ > 0; }
  // Whether a session opened on the connection (bound or detached) is open.
  bool HasSessionsOn(ConnectionId connection_id) const {
    return by_connection_.count(connection_id) != 0;
  }
  std::vector<Session> List() const;

 private:
  Session Erase(std::unordered_map<std::string, Session>::iterator it);

  ProcessProbe& probe_;
  std::unordered_map<std::string, Session> sessions_;
  std::unordered_map<std::string, int> counts_;  // by KeyString
  std::unordered_map<ConnectionId, int> by_connection_;
  std::size_t detached_ = 0;
};

}  // namespace gg::agent

#endif  // GG_AGENT_ENGINE_SESSIONS_H_
