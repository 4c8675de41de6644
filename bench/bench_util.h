// Support shared by the benchmark (gg-bench) and the cached-path I/O check:
// a blocking line client for the agent's Unix socket, a running gg-agent
// child process, and a temporary work directory.
//
// Threads: each object is used by one thread at a time. Errors are values;
// nothing here throws except nlohmann::json on malformed agent answers.
#ifndef GG_BENCH_BENCH_UTIL_H_
#define GG_BENCH_BENCH_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::bench {

// A connected, blocking Unix stream socket speaking one line per message.
class LineClient {
 public:
  [[nodiscard]] static Result<LineClient> Connect(const std::string& path);
  LineClient(LineClient&& other) noexcept;
  LineClient& operator=(LineClient&& other) noexcept;
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;
  ~LineClient();

  // Sends all of `data` (one or more lines, each with its '\n').
  [[nodiscard]] Status Send(const std::string& data);
  // The next line, without its '\n'.
  [[nodiscard]] Result<std::string> ReadLine();
  // Send(line + '\n') then ReadLine() parsed as JSON.
  [[nodiscard]] Result<nlohmann::json> Call(const nlohmann::json& request);

 private:
  explicit LineClient(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::string buffer_;
  std::size_t start_ = 0;
};

// A temporary directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct AgentConfig {
  std::string base_url;
  std::filesystem::path dir;  // holds config.json, state/, agent.sock
  int max_connections = 1024;
  int max_in_flight = 32;
  int connect_timeout_ms = 3000;
  int request_deadline_ms = 5000;
};

// Writes dir/config.json (0600) for the demo fixtures' credentials; returns
// its path.
[[nodiscard]] Result<std::filesystem::path> WriteAgentConfig(
    const AgentConfig& config);

// The gg-agent binary this program was built with, or the one
// SetAgentBinary named (to measure another build in the same way).
std::string AgentBinary();
void SetAgentBinary(std::string path);

// gg-agent run --config CONFIG as a child; stderr goes to dir/agent.log.
class AgentProcess {
 public:
  // Spawns and waits (bounded by `timeout`) for a ping answer.
  [[nodiscard]] static Result<AgentProcess> Start(
      const std::filesystem::path& config,
      const std::filesystem::path& dir,
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  AgentProcess(AgentProcess&& other) noexcept;
  AgentProcess& operator=(AgentProcess&&) = delete;
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;
  ~AgentProcess();

  pid_t pid() const { return pid_; }
  std::string SocketPath() const;
  // Time from fork to the first ping answer.
  std::chrono::microseconds start_to_ready() const { return ready_; }
  // VmRSS of the agent in KiB, from /proc.
  [[nodiscard]] Result<long> VmRssKiB() const;
  // Private_Dirty of /proc/<pid>/smaps_rollup in KiB: the memory no other
  // process can share (heap, stacks, relocated data).
  [[nodiscard]] Result<long> PrivateDirtyKiB() const;
  // SIGTERM, bounded wait, then SIGKILL.
  void Stop();

 private:
  AgentProcess() = default;
  pid_t pid_ = -1;
  std::filesystem::path dir_;
  std::chrono::microseconds ready_{0};
};

// A cached-authorize request line (with '\n') and a release for `session`.
std::string AuthorizeLine(long long id,
                          const std::string& product,
                          const std::string& key,
                          bool detached);
std::string ReleaseLine(long long id, const std::string& session);

// Output of `gg-agent hwid --config CONFIG --product PRODUCT --json`.
[[nodiscard]] Result<std::string> AgentHwid(const std::filesystem::path& config,
                                            const std::string& product);

}  // namespace gg::bench

#endif  // GG_BENCH_BENCH_UTIL_H_
