// Test support: a protected app in a child process that opens a detached
// session and then lives until it is killed, for the crashed-app tests.
#ifndef GG_TESTS_INTEGRATION_DETACHED_APP_H_
#define GG_TESTS_INTEGRATION_DETACHED_APP_H_

#include <sys/types.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::e2e {

struct DetachedApp {
  pid_t pid = -1;         // still running (paused); the caller kills and reaps
  nlohmann::json answer;  // the agent's answer to its detached authorize
};

// Forks the app: it connects to `socket_path`, asks a detached authorize
// for (product, key), hands the answer line back over a pipe (bounded wait)
// and pauses. An error when it got no answer; the child is then reaped.
[[nodiscard]] Result<DetachedApp> StartDetachedApp(
    const std::filesystem::path& socket_path,
    const std::string& product,
    const std::string& key);

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_DETACHED_APP_H_
