#include "tests/devserver/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <httplib.h>

extern char** environ;

namespace gg::devserver {
namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // read end of the child's stdout or stderr
};

// posix_spawn with `capture_fd` (1 or 2) of the child going to a pipe.
Result<Child> Spawn(const std::vector<std::string>& args, int capture_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return MakeError(ErrorCode::kHarness,
                     std::string("pipe2: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], capture_fd);
  std::vector<char*> argv;
  std::string path = GG_DEVSERVER_PATH;
  argv.push_back(path.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return MakeError(ErrorCode::kHarness,
                     "posix_spawn " + path + ": " + std::strerror(rc));
  }
  return Child{pid, fds[0]};
}

// Reads what is available until `stop_at` appears, EOF or the deadline.
// Returns false on deadline.
bool ReadUntil(int fd,
               std::string& text,
               const std::string& stop_at,
               Clock::time_point deadline) {
  char buf[4096];
  while (stop_at.empty() || text.find(stop_at) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n == 0 ? false : true;
    }
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return true;  // EOF
    }
    text.append(buf, static_cast<std::size_t>(got));
  }
  return true;
}

// Waits (bounded) for `pid`; returns the exit code or 128 + signal.
std::optional<int> WaitFor(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r < 0 && errno != EINTR) {
      return -1;
    }
    if (Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::string DemoFixturesPath() {
  return GG_DEVSERVER_FIXTURES;
}

std::string DemoResponsePublicKey() {
  return "Bw4Tq+dWA3XlC+vQOKvd6VqAbMpfevp9UOtL7xzSRcg=";
}

std::string TestCertDir() {
  return GG_DEVSERVER_CERT_DIR;
}

Result<std::unique_ptr<DevServer>> DevServer::Start(DevServerOptions options) {
  std::vector<std::string> args = {"--fixtures", options.fixtures_path,
                                   "--listen", options.listen};
  if (!options.admin_token.empty()) {
    args.insert(args.end(), {"--admin-token", options.admin_token});
  }
  if (options.tls) {
    auto or_default = [](std::string& path, const char* file) {
      if (path.empty()) {
        path = TestCertDir() + "/" + file;
      }
    };
    or_default(options.tls_cert, "server.pem");
    or_default(options.tls_key, "server-key.pem");
    or_default(options.tls_ca, "ca.pem");
    args.insert(args.end(),
                {"--tls-cert", options.tls_cert, "--tls-key", options.tls_key});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto child = Spawn(args, STDOUT_FILENO);
  if (!child) {
    return tl::unexpected(child.error());
  }
  std::unique_ptr<DevServer> server(new DevServer());
  server->options_ = std::move(options);
  server->pid_ = child->pid;
  std::string out;
  const std::string marker = "listening on ";
  bool in_time = ReadUntil(child->out_fd, out, "\n",
                           Clock::now() + server->options_.start_timeout);
  close(child->out_fd);
  auto at = out.find(marker);
  auto colon = out.rfind(':');
  if (!in_time || at == std::string::npos || colon == std::string::npos) {
    server->Kill();
    return MakeError(
        ErrorCode::kHarness,
        "gg-devserver did not print its listening line; got: " + out);
  }
  std::string url = out.substr(at + marker.size());
  url = url.substr(0, url.find('\n'));
  server->base_url_ = url;
  server->port_ = std::atoi(url.substr(url.rfind(':') + 1).c_str());
  return server;
}

DevServer::~DevServer() {
  Kill();
}

Result<int> DevServer::Stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) {
    return MakeError(ErrorCode::kHarness, "not running");
  }
  if (kill(pid_, SIGTERM) != 0) {
    return MakeError(ErrorCode::kHarness, std::strerror(errno));
  }
  auto status = WaitFor(pid_, Clock::now() + timeout);
  if (!status) {
    Kill();
    return MakeError(ErrorCode::kHarness, "no exit after SIGTERM; killed");
  }
  pid_ = -1;
  return *status;
}

void DevServer::Kill() {
  if (pid_ <= 0) {
    return;
  }
  kill(pid_, SIGKILL);
  WaitFor(pid_, Clock::now() + std::chrono::seconds(10));
  pid_ = -1;
}

Result<std::string> DevServer::Admin(const std::string& method,
                                     const std::string& path,
                                     const std::string& body) {
  httplib::Client client(base_url_);
  if (options_.tls) {
    client.set_ca_cert_path(options_.tls_ca);
    client.enable_server_certificate_verification(true);
  }
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  httplib::Headers headers = {{"X-Admin-Token", options_.admin_token}};
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET") {
    res = client.Get(path, headers);
  } else if (method == "PUT") {
    res = client.Put(path, headers, body, "application/json");
  } else {
    res = client.Post(path, headers, body, "application/json");
  }
  if (!res) {
    return MakeError(ErrorCode::kHarness, method + " " + path + ": " +
                                              httplib::to_string(res.error()));
  }
  if (res->status != 200) {
    return MakeError(ErrorCode::kHarness, method + " " + path + ": HTTP " +
                                              std::to_string(res->status) +
                                              " " + res->body);
  }
  return res->body;
}

Status DevServer::SetFault(const nlohmann::json& fault) {
  auto r = Admin("POST", "/__admin/faults", fault.dump());
  return r ? Ok() : Status(tl::unexpected(r.error()));
}

Status DevServer::SetClockOffset(long long seconds) {
  auto r = Admin("POST", "/__admin/clock",
                 nlohmann::json{{"offsetSeconds", seconds}}.dump());
  return r ? Ok() : Status(tl::unexpected(r.error()));
}

Status DevServer::PutLicense(const std::string& key,
                             const nlohmann::json& license) {
  auto r = Admin("PUT", "/__admin/licenses/" + key, license.dump());
  return r ? Ok() : Status(tl::unexpected(r.error()));
}

Result<nlohmann::json> DevServer::Requests() {
  auto r = Admin("GET", "/__admin/requests", "");
  if (!r) {
    return tl::unexpected(r.error());
  }
  auto j = nlohmann::json::parse(*r, nullptr, false);
  if (!j.is_object() || !j.contains("requests")) {
    return MakeError(ErrorCode::kHarness, "bad request log: " + *r);
  }
  return j["requests"];
}

Status DevServer::Reset() {
  auto r = Admin("POST", "/__admin/reset", "{}");
  return r ? Ok() : Status(tl::unexpected(r.error()));
}

Result<ExitResult> RunDevServerToExit(const std::vector<std::string>& args,
                                      std::chrono::milliseconds timeout) {
  auto child = Spawn(args, STDERR_FILENO);
  if (!child) {
    return tl::unexpected(child.error());
  }
  auto deadline = Clock::now() + timeout;
  ExitResult result;
  ReadUntil(child->out_fd, result.stderr_text, "", deadline);
  close(child->out_fd);
  auto status = WaitFor(child->pid, deadline);
  if (!status) {
    kill(child->pid, SIGKILL);
    WaitFor(child->pid, Clock::now() + std::chrono::seconds(10));
    return MakeError(ErrorCode::kTimeout, "gg-devserver did not exit");
  }
  result.status = *status;
  return result;
}

}  // namespace gg::devserver
