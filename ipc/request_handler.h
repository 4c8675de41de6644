// The typed seam between the IPC server and the agent's decisions.
//
// ipc/ parses and validates requests, then calls a RequestHandler; service/
// wires the agent's implementation in, tests use a fake. ipc/ never links
// agent/. `ping`, the `sessions` permission check and every protocol error
// are answered by ipc/ itself.
#ifndef GG_IPC_REQUEST_HANDLER_H_
#define GG_IPC_REQUEST_HANDLER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/wire_code.h"

namespace gg::ipc {

// Who is on the other end of a connection; -1 when the OS does not say.
struct Peer {
  long long pid = -1;
  long long uid = -1;
  long long gid = -1;
  // Root or the agent's own user: may list and end anyone's sessions. Set
  // by the server (the Dispatcher), never by the handler.
  bool privileged = false;
};

using ConnectionId = std::uint64_t;

struct AppInfo {
  std::string name;
  std::string version;
};

struct AuthorizeParams {
  // Strings, not yet validated: the engine does that (VALIDATION_ERROR).
  std::string product_id;
  std::string license_key;
  std::optional<AppInfo> app;
  bool detached = false;
};

// The verdict answer of spec/ipc.md. `allow` false answers carry ok:false.
struct Verdict {
  bool allow = false;
  std::optional<std::string> reason_code;
  std::string message;
  std::string source;  // online | cache | offline | local
  std::optional<std::string> session_id;
  std::optional<std::string> effective_expires_at;  // RFC 3339
  std::optional<std::string> grace_ends_at;         // RFC 3339
  std::optional<std::string> license_id;
};

// A request that is wrong rather than a license verdict (spec "Errors").
struct ErrorAnswer {
  WireCode code = WireCode::kInternal;
  std::string message;
  std::vector<std::pair<std::string, std::string>> details;  // field, message
  std::optional<long long> retry_after_seconds = std::nullopt;  // RATE_LIMITED
};

using VerdictOrError = std::variant<Verdict, ErrorAnswer>;

struct LastError {
  std::string code;
  std::string message;
  std::string request_id;
  std::string since;  // RFC 3339: first failed attempt since the last verdict
  std::string at;     // RFC 3339: the latest failed attempt
  long long failed_attempts = 0;
};

// The rate-limit headers of the last upstream answer that carried any.
struct RateLimitInfo {
  std::vector<std::pair<std::string, long long>> remaining;  // bucket, left
  std::optional<long long> limit;
  std::optional<long long> reset;  // Unix seconds, as the server sent it
  std::optional<long long> retry_after_seconds;
  std::string observed_at;  // RFC 3339
};

// Every field of the `status` answer.
struct StatusInfo {
  std::string version;
  std::string machine_fingerprint;
  std::string instance_id;
  bool online = false;  // the last upstream attempt got a verdict
  std::optional<std::string> last_attempt_at;  // RFC 3339, null if never
  std::optional<std::string> last_contact_at;  // RFC 3339, null if never
  std::optional<LastError> last_error;
  std::optional<RateLimitInfo> rate_limit;
  long long sessions = 0;
  long long cached_verdicts = 0;
  long long verdicts_in_memory = 0;  // of cached_verdicts (the rest: disk)
  long long uptime_seconds = 0;
  // A verdict the agent could not write durably (requestId empty).
  std::optional<LastError> store_error;
  // Filled in by the server from its own limits.
  long long max_connections = 0;
  long long fd_limit = 0;  // 0: not known
};

// One row of the `sessions` answer.
struct SessionInfo {
  std::string session_id;
  std::string product_id;
  long long pid = -1;
  long long uid = -1;
  std::optional<AppInfo> app;
  std::string opened_at;     // RFC 3339
  std::string last_seen_at;  // RFC 3339
};

// Called on the server's event-loop thread only. Must not block: slow work
// (an upstream call) answers later through `reply`.
class RequestHandler {
 public:
  using Reply = std::function<void(VerdictOrError)>;

  virtual ~RequestHandler() = default;
  // `reply` may be called later, from any thread, exactly once. An allow
  // verdict must carry the session_id it opened.
  virtual void Authorize(ConnectionId connection,
                         const Peer& peer,
                         const AuthorizeParams& params,
                         Reply reply) = 0;
  // Heartbeat and Release may touch a session only for the connection that
  // opened it (connection-bound), the same uid (detached) or a privileged
  // peer; anyone else gets SESSION_NOT_FOUND, as for an unknown id.
  virtual void Heartbeat(ConnectionId connection,
                         const Peer& peer,
                         const std::string& session_id,
                         Reply reply) = 0;
  // nullopt on success; SESSION_NOT_FOUND etc. otherwise.
  virtual std::optional<ErrorAnswer> Release(ConnectionId connection,
                                             const Peer& peer,
                                             const std::string& session_id) = 0;
  virtual StatusInfo Status() = 0;
  virtual std::vector<SessionInfo> Sessions() = 0;
  // The `metrics` answer: Prometheus text exposition (format 0.0.4). Only
  // called for the peers `sessions` is answered for.
  virtual std::string Metrics() = 0;
  // Whether a session opened on `connection` is still open (the idle timer
  // leaves such a connection alone). The handler's session table is the
  // only one: the agent ends sessions the server never hears of.
  virtual bool HasSessions(ConnectionId connection) = 0;
  // The connection is gone: release the non-detached sessions it opened.
  // Called exactly once per accepted connection.
  virtual void ConnectionClosed(ConnectionId connection) = 0;
};

}  // namespace gg::ipc

#endif  // GG_IPC_REQUEST_HANDLER_H_
