// Test support: runs the real gg-agent binary as a child process in its own
// temporary directory (config, state dir, socket, log), for the end-to-end
// tests. No gtest dependency: failures come back as gg::Result errors.
//
//   auto agent = AgentProcess::Create({.base_url = server->BaseUrl()});
//   ASSERT_TRUE(agent) << agent.error().message;
//   ASSERT_TRUE((*agent)->Start()) ...;
//   auto client = NdjsonClient::Connect((*agent)->SocketPath());
//
// Thread-safety: one AgentProcess is used from one thread. The destructor
// kills a still-running child and removes the directory.
#ifndef GG_TESTS_INTEGRATION_AGENT_PROCESS_H_
#define GG_TESTS_INTEGRATION_AGENT_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::e2e {

struct AgentOptions {
  // The dev server; an unreachable URL is fine for tests that never ask.
  std::string base_url = "http://127.0.0.1:9";
  // Merged (JSON merge patch) into the generated config, e.g.
  // {"policy":{"maxConcurrentSessions":1}}.
  nlohmann::json config_patch = nlohmann::json::object();
  // /etc/machine-id in the agent's hwid fixture tree: the one hardware part
  // it reads, so the hwid is fixed per test and not this machine's.
  std::string machine_id = "5e2e0c1d2b3a49f8a7c6d5e4f3a2b1c0";
  // Run `run` through this command (absolute path first), the agent's
  // path and arguments appended: a sandbox wrapper such as unshare.
  std::vector<std::string> command_prefix;
};

struct ExitStatus {
  int code = -1;       // exit code, or 128 + signal
  std::string output;  // stdout and stderr together
};

class AgentProcess {
 public:
  // Makes a fresh directory under /tmp (short, so the socket path stays
  // well under 100 characters), a hwid fixture tree with
  // `options.machine_id`, and writes the config (mode 0600).
  [[nodiscard]] static Result<std::unique_ptr<AgentProcess>> Create(
      AgentOptions options);
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  // Rewrites the config file from new options (the dir stays).
  [[nodiscard]] Status WriteConfig(const AgentOptions& options);
  // Hands the whole directory (config, state, hwid tree) to uid:gid, for
  // an agent run as another user. Root only.
  [[nodiscard]] Status ChownTree(uid_t uid, gid_t gid);
  // Writes arbitrary text as the config file (for bad configs).
  [[nodiscard]] Status WriteConfigText(const std::string& text);

  // Starts `gg-agent run --config` with `extra_env` ("K=V") added to the
  // environment, and waits (bounded) until `ping` answers on the socket.
  // Fails if the agent exits first, with its log in the message.
  [[nodiscard]] Status Start(
      std::vector<std::string> extra_env = {},
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Root only: later Start()s run the agent as `uid`/`gid` (no
  // supplementary groups); the directory tree is handed to that user.
  [[nodiscard]] Status RunAs(uid_t uid, gid_t gid);
  // Later starts run the agent under RLIMIT_NOFILE `limit` (soft and hard,
  // so it cannot raise it back).
  void SetNofileLimit(long long limit) { nofile_limit_ = limit; }
  // Runs `gg-agent run` with `fd` handed over as systemd would (fd 3,
  // LISTEN_FDS=1, LISTEN_PID its pid), to completion (killed after
  // `timeout`, then an error with its log).
  [[nodiscard]] Result<ExitStatus> RunWithListenFd(
      int fd,
      std::chrono::milliseconds timeout);
  // SIGTERM and a bounded wait; the exit status.
  Result<int> Stop(
      std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Sends a signal to the running agent.
  [[nodiscard]] Status Signal(int sig);
  // SIGKILL and reap; no-op when not running.
  void Kill();
  // Reaps the child if it has exited; true while it runs.
  bool Running();
  // Bounded wait for the child to exit on its own; its exit status.
  Result<int> WaitExit(std::chrono::milliseconds timeout);

  // Runs `gg-agent ARGS...` to completion (bounded), for check-config,
  // hwid, and start-up failures.
  // `prefix` runs it through another command (absolute path first), e.g.
  // setpriv to run it as another user.
  [[nodiscard]] static Result<ExitStatus> RunToExit(
      const std::vector<std::string>& args,
      std::chrono::milliseconds timeout = std::chrono::seconds(20),
      const std::vector<std::string>& prefix = {});
  // Runs `ggctl --socket <this agent's socket> ARGS...` to completion.
  [[nodiscard]] Result<ExitStatus> RunGgctl(
      const std::vector<std::string>& args,
      std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // `gg-agent hwid --config CFG --product ID --json`'s hwid for a product.
  [[nodiscard]] Result<std::string> HwidFor(const std::string& product_id);

  const std::filesystem::path& Dir() const { return dir_; }
  std::filesystem::path ConfigPath() const { return dir_ / "config.json"; }
  std::filesystem::path StateDir() const { return dir_ / "state"; }
  std::filesystem::path DbPath() const { return StateDir() / "cache.db"; }
  std::filesystem::path SocketPath() const { return dir_ / "a.sock"; }
  std::filesystem::path LogPath() const { return dir_ / "agent.log"; }
  std::string Log() const;
  pid_t Pid() const { return pid_; }

 private:
  AgentProcess() = default;

  std::filesystem::path dir_;
  std::vector<std::string> command_prefix_;
  pid_t pid_ = -1;
  uid_t run_uid_ = static_cast<uid_t>(-1);
  gid_t run_gid_ = static_cast<gid_t>(-1);
  long long nofile_limit_ = -1;
};

// Runs `program ARGS...` with `extra_env` ("K=V") added, to completion
// (bounded): its exit status and stdout+stderr together.
[[nodiscard]] Result<ExitStatus> RunProgramToExit(
    const char* program,
    const std::vector<std::string>& args,
    const std::vector<std::string>& extra_env = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(20),
    const std::vector<std::string>& prefix = {});

// Paths of the binaries under test.
const char* AgentPath();
const char* GgctlPath();

// Polls `done` until it returns true or `timeout` passes; true if done.
// Short pauses between polls: for waiting on another process, not a sleep
// standing in for a condition.
bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_AGENT_PROCESS_H_
