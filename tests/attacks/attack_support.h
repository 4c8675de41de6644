// Test support for the attack tests: what a hostile local user does to the
// agent, run against the real gg-agent over its real socket.
//
// ForeignClient connects as another uid: a forked child drops to that
// uid/gid, connects (so SO_PEERCRED names that uid), and relays bytes
// between the agent and a socketpair that the test speaks NDJSON over. The
// tests run as root (they skip otherwise), so any uid will do.
#ifndef GG_TESTS_ATTACKS_ATTACK_SUPPORT_H_
#define GG_TESTS_ATTACKS_ATTACK_SUPPORT_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/result.h"
#include "tests/integration/ndjson_client.h"

namespace gg::attacks {

inline constexpr uid_t kMallory = 65534;  // nobody
inline constexpr uid_t kAlice = 65533;
inline constexpr uid_t kBob = 65532;

class ForeignClient {
 public:
  [[nodiscard]] static Result<std::unique_ptr<ForeignClient>> Connect(
      const std::filesystem::path& socket_path,
      uid_t uid);
  ~ForeignClient();
  ForeignClient(const ForeignClient&) = delete;
  ForeignClient& operator=(const ForeignClient&) = delete;

  e2e::NdjsonClient& operator*() { return *client_; }
  e2e::NdjsonClient* operator->() { return client_.get(); }
  pid_t pid() const { return pid_; }

 private:
  ForeignClient() = default;
  std::unique_ptr<e2e::NdjsonClient> client_;
  pid_t pid_ = -1;
};

// A raw, non-blocking connection as the test's own user.
[[nodiscard]] Result<int> ConnectRaw(const std::filesystem::path& socket_path);

// One line read from a raw (non-blocking) connection, parsed; an error when
// `deadline` passes or the peer closes first.
[[nodiscard]] Result<nlohmann::json> ReadLineRaw(
    int fd,
    std::chrono::steady_clock::time_point deadline);

// VmRSS of a process in KiB; -1 when unreadable.
long long RssKib(pid_t pid);

// True when the tests may act as other users (they run as root).
bool CanSwitchUsers();

}  // namespace gg::attacks

#endif  // GG_TESTS_ATTACKS_ATTACK_SUPPORT_H_
