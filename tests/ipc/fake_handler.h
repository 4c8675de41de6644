// A hand-written RequestHandler for the ipc tests. Thread-safe, because
// integration tests inspect it while the server's loop runs elsewhere.
//
// Authorize by product "not-a-uuid" -> the engine's VALIDATION_ERROR; by
// license key: "deny-key" -> HWID_MISMATCH deny, "error-key" ->
// an INTERNAL error answer, "throw-key" -> throws, "defer-key" -> the reply is
// kept for the test to send (DeferredCount/ReplyDeferred), anything else ->
// allow with "s_<n>".
#ifndef GG_TESTS_IPC_FAKE_HANDLER_H_
#define GG_TESTS_IPC_FAKE_HANDLER_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "ipc/request_handler.h"

namespace gg::ipc::testing {

class FakeHandler : public RequestHandler {
 public:
  void Authorize(ConnectionId connection,
                 const Peer& peer,
                 const AuthorizeParams& params,
                 Reply reply) override {
    std::unique_lock lock(mu_);
    last_peer_ = peer;
    last_params_ = params;
    if (params.license_key == "defer-key") {
      deferred_.push_back({connection, std::move(reply)});
      cv_.notify_all();
      return;
    }
    if (params.license_key == "throw-key") {
      throw std::runtime_error("fake failure");
    }
    if (params.product_id == "not-a-uuid") {
      // As the agent's engine answers it (the IPC layer checks types only).
      lock.unlock();
      reply(ErrorAnswer{WireCode::kValidationError,
                        "productId must be a UUID",
                        {{"productId", "not a UUID"}}});
      return;
    }
    if (params.license_key == "error-key") {
      lock.unlock();
      reply(ErrorAnswer{WireCode::kInternal, "boom", {}});
      return;
    }
    if (params.license_key == "deny-key") {
      lock.unlock();
      reply(Deny());
      return;
    }
    std::string sid = "s_" + std::to_string(++next_session_);
    sessions_.insert(sid);
    owner_[sid] = connection;
    lock.unlock();
    reply(Allow(sid));
  }

  void Heartbeat(ConnectionId,
                 const Peer&,
                 const std::string& session_id,
                 Reply reply) override {
    std::unique_lock lock(mu_);
    bool known = sessions_.count(session_id) != 0;
    lock.unlock();
    if (known) {
      reply(Allow(session_id));
    } else {
      reply(ErrorAnswer{WireCode::kSessionNotFound, "no such session", {}});
    }
  }

  std::optional<ErrorAnswer> Release(ConnectionId,
                                     const Peer&,
                                     const std::string& session_id) override {
    std::lock_guard lock(mu_);
    if (sessions_.erase(session_id) == 0) {
      return ErrorAnswer{WireCode::kSessionNotFound, "no such session", {}};
    }
    owner_.erase(session_id);
    return std::nullopt;
  }

  bool HasSessions(ConnectionId connection) override {
    std::lock_guard lock(mu_);
    for (const auto& [sid, owner] : owner_) {
      if (owner == connection) {
        return true;
      }
    }
    return false;
  }

  // The agent ends a session on its own (a pushed denial, a timeout).
  void EndSession(const std::string& session_id) {
    std::lock_guard lock(mu_);
    sessions_.erase(session_id);
    owner_.erase(session_id);
  }

  StatusInfo Status() override {
    StatusInfo s;
    s.version = "9.9.9";
    s.machine_fingerprint = "fp";
    s.instance_id = "inst";
    s.online = true;
    s.last_contact_at = "2026-01-01T00:00:00Z";
    std::lock_guard lock(mu_);
    s.sessions = static_cast<long long>(sessions_.size());
    return s;
  }

  std::vector<SessionInfo> Sessions() override {
    std::lock_guard lock(mu_);
    std::vector<SessionInfo> out;
    for (const auto& sid : sessions_) {
      SessionInfo info;
      info.session_id = sid;
      info.product_id = "p";
      info.opened_at = "2026-01-01T00:00:00Z";
      info.last_seen_at = "2026-01-01T00:00:00Z";
      out.push_back(info);
    }
    return out;
  }

  std::string Metrics() override { return "gg_agent_sessions 0\n"; }

  void ConnectionClosed(ConnectionId connection) override {
    std::lock_guard lock(mu_);
    closed_.push_back(connection);
    for (auto it = owner_.begin(); it != owner_.end();) {
      if (it->second == connection) {
        sessions_.erase(it->first);
        it = owner_.erase(it);
      } else {
        ++it;
      }
    }
    cv_.notify_all();
  }

  static Verdict Allow(const std::string& sid) {
    Verdict v;
    v.allow = true;
    v.message = "License is valid";
    v.source = "online";
    v.session_id = sid;
    v.effective_expires_at = "2027-01-01T00:00:00Z";
    v.license_id = "lic";
    return v;
  }
  static Verdict Deny() {
    Verdict v;
    v.reason_code = "HWID_MISMATCH";
    v.message = "Hardware ID does not match bound device";
    v.source = "online";
    return v;
  }

  // Waits (bounded) until `n` replies are deferred; true if they are.
  bool WaitDeferred(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return deferred_.size() >= n; });
  }
  // Sends deferred reply `i` (from the calling thread).
  // An allow opens its session first, as the agent's would.
  void ReplyDeferred(std::size_t i, VerdictOrError answer) {
    Reply r;
    {
      std::lock_guard lock(mu_);
      const Deferred& d = deferred_.at(i);
      r = d.reply;
      if (const auto* v = std::get_if<Verdict>(&answer);
          v != nullptr && v->allow && v->session_id) {
        sessions_.insert(*v->session_id);
        owner_[*v->session_id] = d.connection;
      }
    }
    r(std::move(answer));
  }
  bool WaitClosed(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return closed_.size() >= n; });
  }
  std::vector<ConnectionId> Closed() {
    std::lock_guard lock(mu_);
    return closed_;
  }
  Peer LastPeer() {
    std::lock_guard lock(mu_);
    return last_peer_;
  }
  AuthorizeParams LastParams() {
    std::lock_guard lock(mu_);
    return last_params_;
  }
  std::size_t SessionCount() {
    std::lock_guard lock(mu_);
    return sessions_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int next_session_ = 0;
  std::set<std::string> sessions_;
  std::map<std::string, ConnectionId> owner_;
  struct Deferred {
    ConnectionId connection;
    Reply reply;
  };
  std::vector<Deferred> deferred_;
  std::vector<ConnectionId> closed_;
  Peer last_peer_;
  AuthorizeParams last_params_;
};

}  // namespace gg::ipc::testing

#endif  // GG_TESTS_IPC_FAKE_HANDLER_H_
