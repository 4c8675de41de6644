#include "bench/bench_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "platform/private_file.h"
#include "tests/devserver/harness.h"

namespace gg::bench {
namespace {

using Steady = std::chrono::steady_clock;

Error Errno(const std::string& what) {
  return Error{ErrorCode::kIo, what + ": " + std::strerror(errno)};
}

}  // namespace

Result<LineClient> LineClient::Connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return tl::unexpected(Errno("socket"));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, "socket path too long");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Error e = Errno("connect " + path);
    ::close(fd);
    return tl::unexpected(e);
  }
  return LineClient(fd);
}

LineClient::LineClient(LineClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      start_(other.start_) {}

LineClient& LineClient::operator=(LineClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    start_ = other.start_;
  }
  return *this;
}

LineClient::~LineClient() {
  if (fd_ >= 0)
    ::close(fd_);
}

Status LineClient::Send(const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return tl::unexpected(Errno("send"));
    }
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

Result<std::string> LineClient::ReadLine() {
  for (;;) {
    std::size_t nl = buffer_.find('\n', start_);
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(start_, nl - start_);
      start_ = nl + 1;
      if (start_ > 65536) {  // keep the buffer small
        buffer_.erase(0, start_);
        start_ = 0;
      }
      return line;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return tl::unexpected(Errno("recv"));
    }
    if (n == 0)
      return MakeError(ErrorCode::kIo, "connection closed by peer");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<nlohmann::json> LineClient::Call(const nlohmann::json& request) {
  if (auto s = Send(request.dump() + "\n"); !s)
    return tl::unexpected(s.error());
  auto line = ReadLine();
  if (!line)
    return tl::unexpected(line.error());
  auto j = nlohmann::json::parse(*line, nullptr, false);
  if (j.is_discarded())
    return MakeError(ErrorCode::kIo, "answer is not JSON: " + *line);
  return j;
}

TempDir::TempDir() {
  // Short, so socket paths inside stay far below the 108-byte limit.
  char tmpl[] = "/tmp/ggb.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Result<std::filesystem::path> WriteAgentConfig(const AgentConfig& config) {
  nlohmann::json j = {
      {"server",
       {{"baseUrl", config.base_url},
        {"apiKey", devserver::kDemoApiKey},
        {"signingSecret", devserver::kDemoSigningSecret},
        {"responsePublicKeys", {devserver::DemoResponsePublicKey()}},
        {"requestTimeoutMs", 5000},
        {"connectTimeoutMs", config.connect_timeout_ms}}},
      {"ipc",
       {{"path", (config.dir / "agent.sock").string()},
        {"mode", "0600"},
        {"maxConnections", config.max_connections},
        {"maxConnectionsPerUid", config.max_connections},
        {"maxInFlightPerConnection", config.max_in_flight},
        {"idleTimeoutSeconds", 3600}}},
      {"state", {{"dir", (config.dir / "state").string()}}},
      {"policy",
       {{"requestDeadlineMs", config.request_deadline_ms},
        {"upstreamPerUidPerMinute", 1000000}}},
      {"log", {{"level", "warn"}}},
  };
  std::filesystem::path path = config.dir / "config.json";
  if (auto s = WritePrivateFileAtomic(path, j.dump(2)); !s)
    return tl::unexpected(s.error());
  return path;
}

namespace {
std::string& AgentBinaryOverride() {
  static std::string path;
  return path;
}
}  // namespace

std::string AgentBinary() {
  const std::string& set = AgentBinaryOverride();
  return set.empty() ? std::string(GG_AGENT_PATH) : set;
}

void SetAgentBinary(std::string path) {
  AgentBinaryOverride() = std::move(path);
}

Result<AgentProcess> AgentProcess::Start(const std::filesystem::path& config,
                                         const std::filesystem::path& dir,
                                         std::chrono::milliseconds timeout) {
  std::string log = (dir / "agent.log").string();
  std::string binary = AgentBinary();
  std::string config_arg = config.string();
  auto begin = Steady::now();
  pid_t pid = ::fork();
  if (pid < 0)
    return tl::unexpected(Errno("fork"));
  if (pid == 0) {
    int fd =
        ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0)
      ::dup2(fd, 2);
    ::execl(binary.c_str(), binary.c_str(), "run", "--config",
            config_arg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  AgentProcess agent;
  agent.pid_ = pid;
  agent.dir_ = dir;
  const std::string ping = R"({"v":1,"id":0,"op":"ping"})"
                           "\n";
  while (Steady::now() - begin < timeout) {
    auto client = LineClient::Connect(agent.SocketPath());
    if (client && client->Send(ping)) {
      auto line = client->ReadLine();
      if (line && line->find("\"ok\":true") != std::string::npos) {
        agent.ready_ = std::chrono::duration_cast<std::chrono::microseconds>(
            Steady::now() - begin);
        return agent;
      }
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      agent.pid_ = -1;
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      return MakeError(ErrorCode::kHarness,
                       "gg-agent exited during start: " + text.str());
    }
    // Polling a child that has no readiness pipe: 200 us keeps the
    // start-to-ready measurement fine-grained.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return MakeError(ErrorCode::kHarness,
                   "gg-agent not ready in time; see " + log);
}

AgentProcess::AgentProcess(AgentProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      dir_(std::move(other.dir_)),
      ready_(other.ready_) {}

AgentProcess::~AgentProcess() {
  Stop();
}

std::string AgentProcess::SocketPath() const {
  return (dir_ / "agent.sock").string();
}

Result<long> AgentProcess::VmRssKiB() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return MakeError(ErrorCode::kIo, "no VmRSS for pid " + std::to_string(pid_));
}

Result<long> AgentProcess::PrivateDirtyKiB() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/smaps_rollup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Private_Dirty:", 0) == 0)
      return std::strtol(line.c_str() + 14, nullptr, 10);
  }
  return MakeError(ErrorCode::kIo,
                   "no Private_Dirty for pid " + std::to_string(pid_));
}

void AgentProcess::Stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  auto deadline = Steady::now() + std::chrono::seconds(10);
  int status = 0;
  while (Steady::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string AuthorizeLine(long long id,
                          const std::string& product,
                          const std::string& key,
                          bool detached) {
  nlohmann::json j = {{"v", 1},
                      {"id", id},
                      {"op", "authorize"},
                      {"productId", product},
                      {"licenseKey", key},
                      {"app", {{"name", "gg-bench"}, {"version", "1.0.0"}}},
                      {"detached", detached}};
  return j.dump() + "\n";
}

std::string ReleaseLine(long long id, const std::string& session) {
  nlohmann::json j = {
      {"v", 1}, {"id", id}, {"op", "release"}, {"sessionId", session}};
  return j.dump() + "\n";
}

Result<std::string> AgentHwid(const std::filesystem::path& config,
                              const std::string& product) {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on
  // "literal" + std::string&&.
  std::string cmd = "'";
  cmd += AgentBinary();
  cmd += "' hwid --config '";
  cmd += config.string();
  cmd += "' --product ";
  cmd += product;
  cmd += " --json 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr)
    return tl::unexpected(Errno("popen"));
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  int rc = ::pclose(p);
  if (rc != 0)
    return MakeError(ErrorCode::kHarness, "gg-agent hwid failed: " + out);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (!j.is_object() || !j.contains("hwid") || !j["hwid"].is_string())
    return MakeError(ErrorCode::kHarness,
                     "gg-agent hwid --json has no hwid: " + out);
  return j["hwid"].get<std::string>();
}

}  // namespace gg::bench
