#include "agent/engine/sessions.h"

#include <utility>

#include "platform/random.h"

namespace gg::agent {

std::string KeyString(const store::VerdictKey& key) {
  std::string s;
  s.reserve(key.product_id.size() + 1 + key.license_key.size());
  s.append(key.product_id).push_back('\0');
  s.append(key.license_key);
  return s;
}

Result<const Session*> SessionTable::Open(Session session) {
  auto hex = RandomHex(16);
  if (!hex) {
    return tl::unexpected(hex.error());
  }
  session.id = "s_" + *hex;
  if (session.detached) {
    session.process = probe_.Watch(session.pid);
    ++detached_;
  }
  ++counts_[KeyString(session.key)];
  ++by_connection_[session.connection_id];
  auto [it, inserted] = sessions_.emplace(session.id, std::move(session));
  (void)inserted;  // 128 random bits: a collision is not a case to handle
  return &it->second;
}

const Session* SessionTable::Find(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

bool SessionTable::Touch(const std::string& id, WallTime now, MonoTime mono) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return false;
  }
  it->second.last_seen_at = now;
  it->second.last_seen_mono = mono;
  return true;
}

Session SessionTable::Erase(
    std::unordered_map<std::string, Session>::iterator it) {
  Session s = std::move(it->second);
  sessions_.erase(it);
  auto count = counts_.find(KeyString(s.key));
  if (count != counts_.end() && --count->second <= 0) {
    counts_.erase(count);
  }
  auto on = by_connection_.find(s.connection_id);
  if (on != by_connection_.end() && --on->second <= 0) {
    by_connection_.erase(on);
  }
  if (s.detached) {
    --detached_;
  }
  return s;
}

std::optional<Session> SessionTable::Release(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return std::nullopt;
  }
  return Erase(it);
}

std::vector<Session> SessionTable::ReleaseConnection(
    ConnectionId connection_id) {
  std::vector<Session> ended;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (!it->second.detached && it->second.connection_id == connection_id) {
      ended.push_back(Erase(it));
    }
    it = next;
  }
  return ended;
}

std::vector<Session> SessionTable::ReleaseKey(const store::VerdictKey& key) {
  std::vector<Session> ended;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (it->second.key == key) {
      ended.push_back(Erase(it));
    }
    it = next;
  }
  return ended;
}

std::vector<Session> SessionTable::ExpireDetached(
    MonoTime now,
    std::chrono::seconds timeout) {
  std::vector<Session> ended;
  if (detached_ == 0) {
    return ended;
  }
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    const Session& s = it->second;
    if (s.detached && (now - s.last_seen_mono >= timeout ||
                       (s.process && s.process->Exited()))) {
      ended.push_back(Erase(it));
    }
    it = next;
  }
  return ended;
}

int SessionTable::CountFor(const store::VerdictKey& key) const {
  auto it = counts_.find(KeyString(key));
  return it == counts_.end() ? 0 : it->second;
}

std::vector<store::VerdictKey> SessionTable::KeysWithSessions() const {
  std::vector<store::VerdictKey> keys;
  for (const auto& [k, count] : counts_) {
    const auto nul = k.find('\0');
    keys.push_back({k.substr(0, nul), k.substr(nul + 1)});
  }
  return keys;
}

std::vector<Session> SessionTable::List() const {
  std::vector<Session> list;
  list.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_) {
    list.push_back(s);
  }
  return list;
}

}  // namespace gg::agent
