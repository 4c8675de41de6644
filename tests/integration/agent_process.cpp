#include "tests/integration/agent_process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/devserver/harness.h"
#include "tests/integration/ndjson_client.h"

namespace gg::e2e {
namespace {

using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

Status WriteText(const std::filesystem::path& path,
                 const std::string& text,
                 mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return MakeError(ErrorCode::kIo,
                     "open " + path.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) ==
            static_cast<ssize_t>(text.size());
  ok = ::fchmod(fd, mode) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok)
    return MakeError(ErrorCode::kIo, "write " + path.string());
  return Ok();
}

int DecodeStatus(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

// What a spawned child gets besides its arguments and environment.
struct ChildSetup {
  std::vector<std::string> prefix;  // a command that runs gg-agent
  long long nofile_limit = -1;      // RLIMIT_NOFILE, soft and hard
  int listen_fd = -1;               // becomes fd 3 with LISTEN_FDS/LISTEN_PID
  uid_t uid = static_cast<uid_t>(-1);  // run as (no supplementary groups)
  gid_t gid = static_cast<gid_t>(-1);
};

// fork + exec of gg-agent with stdout and stderr to `log_path`. Everything
// the child needs is built before fork (no allocation after it).
Result<pid_t> Spawn(const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env,
                    const std::filesystem::path& log_path,
                    const ChildSetup& setup = {},
                    const char* program = GG_AGENT_PATH) {
  std::vector<std::string> argv_s = setup.prefix;
  argv_s.push_back(program);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e)
    env_s.emplace_back(*e);
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  if (setup.listen_fd >= 0) {
    env_s.emplace_back("LISTEN_FDS=1");
    // The child writes its own pid here (no allocation after fork).
    env_s.emplace_back("LISTEN_PID=" + std::string(20, ' '));
  }
  std::vector<char*> envp;
  for (auto& e : env_s)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  char* listen_pid = setup.listen_fd >= 0 ? envp[envp.size() - 2] : nullptr;
  int log_fd =
      ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    return MakeError(ErrorCode::kIo,
                     "open log: " + std::string(std::strerror(errno)));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return MakeError(ErrorCode::kIo,
                     "fork: " + std::string(std::strerror(errno)));
  }
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 ||
        ::dup2(log_fd, 2) < 0)
      ::_exit(126);
    if (setup.nofile_limit > 0) {
      rlimit limit{static_cast<rlim_t>(setup.nofile_limit),
                   static_cast<rlim_t>(setup.nofile_limit)};
      if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        ::_exit(125);
    }
    if (listen_pid != nullptr) {
      if (setup.listen_fd == 3
              ? ::fcntl(3, F_SETFD, 0) < 0  // dup2 onto itself keeps CLOEXEC
              : ::dup2(setup.listen_fd, 3) < 0)
        ::_exit(124);
      std::snprintf(listen_pid, 32, "LISTEN_PID=%d",
                    static_cast<int>(::getpid()));
    }
    if (setup.uid != static_cast<uid_t>(-1) &&
        (::setgroups(0, nullptr) != 0 || ::setgid(setup.gid) != 0 ||
         ::setuid(setup.uid) != 0))
      ::_exit(125);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  return pid;
}

}  // namespace

const char* AgentPath() {
  return GG_AGENT_PATH;
}

const char* GgctlPath() {
  return GG_GGCTL_PATH;
}

bool PollUntil(const std::function<bool()>& done, Ms timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (done())
      return true;
    if (SteadyClock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(Ms(20));
  }
}

Result<std::unique_ptr<AgentProcess>> AgentProcess::Create(
    AgentOptions options) {
  char tmpl[] = "/tmp/gge2e.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    return MakeError(ErrorCode::kIo,
                     "mkdtemp: " + std::string(std::strerror(errno)));
  std::unique_ptr<AgentProcess> agent(new AgentProcess());
  agent->dir_ = tmpl;
  agent->command_prefix_ = options.command_prefix;
  std::error_code ec;
  std::filesystem::create_directories(agent->dir_ / "hwroot" / "etc", ec);
  if (ec)
    return MakeError(ErrorCode::kIo, "mkdir hwroot: " + ec.message());
  if (auto s = WriteText(agent->dir_ / "hwroot" / "etc" / "machine-id",
                         options.machine_id + "\n", 0644);
      !s)
    return tl::unexpected(s.error());
  if (auto s = agent->WriteConfig(options); !s)
    return tl::unexpected(s.error());
  return agent;
}

AgentProcess::~AgentProcess() {
  Kill();
  std::error_code ec;
  if (!dir_.empty() && std::getenv("GG_E2E_KEEP") == nullptr)
    std::filesystem::remove_all(dir_, ec);
}

Status AgentProcess::WriteConfig(const AgentOptions& options) {
  nlohmann::json config = {
      {"server",
       {{"baseUrl", options.base_url},
        {"apiKey", devserver::kDemoApiKey},
        {"signingSecret", devserver::kDemoSigningSecret},
        {"responsePublicKeys", {devserver::DemoResponsePublicKey()}},
        {"connectTimeoutMs", 1000},
        {"requestTimeoutMs", 3000}}},
      {"ipc", {{"path", SocketPath().string()}, {"mode", "0600"}}},
      {"state", {{"dir", StateDir().string()}}},
      {"policy", {{"requestDeadlineMs", 4000}}},
      {"hwid", {{"root", (dir_ / "hwroot").string()}}},
      {"log", {{"level", "debug"}}},
  };
  config.merge_patch(options.config_patch);
  return WriteConfigText(config.dump(2) + "\n");
}

Status AgentProcess::ChownTree(uid_t uid, gid_t gid) {
  if (::lchown(dir_.c_str(), uid, gid) != 0)
    return MakeError(ErrorCode::kIo,
                     "chown: " + std::string(std::strerror(errno)));
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (::lchown(it->path().c_str(), uid, gid) != 0)
      return MakeError(ErrorCode::kIo, "chown " + it->path().string() + ": " +
                                           std::strerror(errno));
  }
  if (ec)
    return MakeError(ErrorCode::kIo,
                     "walk " + dir_.string() + ": " + ec.message());
  return Ok();
}

Status AgentProcess::WriteConfigText(const std::string& text) {
  return WriteText(ConfigPath(), text, 0600);
}

Status AgentProcess::Start(std::vector<std::string> extra_env, Ms timeout) {
  if (Running())
    return MakeError(ErrorCode::kHarness, "agent already running");
  ChildSetup setup;
  setup.prefix = command_prefix_;
  setup.nofile_limit = nofile_limit_;
  setup.uid = run_uid_;
  setup.gid = run_gid_;
  auto pid = Spawn({"run", "--config", ConfigPath().string()}, extra_env,
                   LogPath(), setup);
  if (!pid)
    return tl::unexpected(pid.error());
  pid_ = *pid;
  const bool up = PollUntil(
      [&] {
        if (!Running())
          return true;
        auto client = NdjsonClient::Connect(SocketPath());
        if (!client)
          return false;
        auto pong = (*client)->Call({{"op", "ping"}});
        return pong && pong->value("ok", false);
      },
      timeout);
  if (!Running())
    return MakeError(ErrorCode::kHarness,
                     "gg-agent exited during start; log:\n" + Log());
  if (!up)
    return MakeError(ErrorCode::kHarness,
                     "gg-agent did not answer ping in time; log:\n" + Log());
  return Ok();
}

Status AgentProcess::RunAs(uid_t uid, gid_t gid) {
  std::error_code ec;
  auto own = [&](const std::filesystem::path& p) {
    return ::lchown(p.c_str(), uid, gid) == 0;
  };
  if (!own(dir_))
    return MakeError(ErrorCode::kIo, "chown " + dir_.string());
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (!own(it->path()))
      return MakeError(ErrorCode::kIo, "chown " + it->path().string());
  }
  if (ec)
    return MakeError(ErrorCode::kIo,
                     "walk " + dir_.string() + ": " + ec.message());
  run_uid_ = uid;
  run_gid_ = gid;
  return Ok();
}

bool AgentProcess::Running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

Result<int> AgentProcess::WaitExit(Ms timeout) {
  if (pid_ <= 0)
    return MakeError(ErrorCode::kHarness, "agent not running");
  int status = 0;
  pid_t reaped = 0;
  PollUntil(
      [&] {
        reaped = ::waitpid(pid_, &status, WNOHANG);
        return reaped != 0;
      },
      timeout);
  if (reaped != pid_)
    return MakeError(ErrorCode::kTimeout, "gg-agent did not exit in time");
  pid_ = -1;
  return DecodeStatus(status);
}

Result<int> AgentProcess::Stop(Ms timeout) {
  if (auto s = Signal(SIGTERM); !s)
    return tl::unexpected(s.error());
  auto code = WaitExit(timeout);
  if (!code)
    Kill();
  return code;
}

Status AgentProcess::Signal(int sig) {
  if (pid_ <= 0)
    return MakeError(ErrorCode::kHarness, "agent not running");
  if (::kill(pid_, sig) != 0)
    return MakeError(ErrorCode::kIo,
                     "kill: " + std::string(std::strerror(errno)));
  return Ok();
}

void AgentProcess::Kill() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string AgentProcess::Log() const {
  std::ifstream in(LogPath());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<ExitStatus> AgentProcess::RunToExit(
    const std::vector<std::string>& args,
    Ms timeout,
    const std::vector<std::string>& prefix) {
  return RunProgramToExit(GG_AGENT_PATH, args, {}, timeout, prefix);
}

Result<ExitStatus> AgentProcess::RunGgctl(const std::vector<std::string>& args,
                                          Ms timeout) const {
  std::vector<std::string> all = {"--socket", SocketPath().string()};
  all.insert(all.end(), args.begin(), args.end());
  return RunProgramToExit(GG_GGCTL_PATH, all, {}, timeout);
}

Result<ExitStatus> RunProgramToExit(const char* program,
                                    const std::vector<std::string>& args,
                                    const std::vector<std::string>& extra_env,
                                    Ms timeout,
                                    const std::vector<std::string>& prefix) {
  char tmpl[] = "/tmp/gge2e-out.XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0)
    return MakeError(ErrorCode::kIo,
                     "mkstemp: " + std::string(std::strerror(errno)));
  ::close(fd);
  const std::filesystem::path out_path = tmpl;
  ChildSetup setup;
  setup.prefix = prefix;
  auto pid = Spawn(args, extra_env, out_path, setup, program);
  if (!pid)
    return tl::unexpected(pid.error());
  int status = 0;
  pid_t reaped = 0;
  PollUntil(
      [&] {
        reaped = ::waitpid(*pid, &status, WNOHANG);
        return reaped != 0;
      },
      timeout);
  if (reaped != *pid) {
    ::kill(*pid, SIGKILL);
    ::waitpid(*pid, &status, 0);
  }
  ExitStatus result;
  result.code = reaped == *pid ? DecodeStatus(status) : -1;
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  result.output = ss.str();
  std::error_code ec;
  std::filesystem::remove(out_path, ec);
  if (reaped != *pid)
    return MakeError(ErrorCode::kTimeout,
                     std::string(program) + " did not exit: " + result.output);
  return result;
}

Result<ExitStatus> AgentProcess::RunWithListenFd(int fd, Ms timeout) {
  if (Running())
    return MakeError(ErrorCode::kHarness, "agent already running");
  const std::size_t log_start = Log().size();
  ChildSetup setup;
  setup.listen_fd = fd;
  auto pid =
      Spawn({"run", "--config", ConfigPath().string()}, {}, LogPath(), setup);
  if (!pid)
    return tl::unexpected(pid.error());
  pid_ = *pid;
  auto code = WaitExit(timeout);
  ExitStatus result;
  result.output = Log().substr(log_start);
  if (!code) {
    Kill();
    return MakeError(ErrorCode::kTimeout,
                     "gg-agent did not exit; log:\n" + result.output);
  }
  result.code = *code;
  return result;
}

Result<std::string> AgentProcess::HwidFor(const std::string& product_id) {
  auto run = RunToExit({"hwid", "--config", ConfigPath().string(), "--product",
                        product_id, "--json"});
  if (!run)
    return tl::unexpected(run.error());
  if (run->code != 0)
    return MakeError(ErrorCode::kHarness,
                     "gg-agent hwid failed: " + run->output);
  // The JSON document is the output; the first '{' skips any log line.
  auto brace = run->output.find('{');
  auto parsed = nlohmann::json::parse(
      brace == std::string::npos ? "" : run->output.substr(brace), nullptr,
      false);
  if (parsed.is_discarded() || !parsed.is_object())
    return MakeError(ErrorCode::kHarness,
                     "gg-agent hwid: not JSON: " + run->output);
  for (const char* name : {"hwid", "productHwid", "id"}) {
    if (parsed.contains(name) && parsed[name].is_string())
      return parsed[name].get<std::string>();
  }
  return MakeError(ErrorCode::kHarness,
                   "gg-agent hwid: no hwid in " + run->output);
}

}  // namespace gg::e2e
