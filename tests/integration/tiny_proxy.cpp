#include "tests/integration/tiny_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tests/integration/agent_process.h"

namespace gg::e2e {
namespace {

// A port the kernel just handed out; tinyproxy cannot listen on port 0,
// so it gets this one (Start retries if someone took it meanwhile).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::optional<std::string> TinyProxy::Binary() {
  for (const char* p : {"/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"})
    if (::access(p, X_OK) == 0)
      return std::string(p);
  return std::nullopt;
}

Result<std::unique_ptr<TinyProxy>> TinyProxy::Start(
    const std::string& user,
    const std::string& password) {
  auto binary = Binary();
  if (!binary)
    return MakeError(ErrorCode::kHarness, "tinyproxy is not installed");
  char tmpl[] = "/tmp/gge2e-proxy.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    return MakeError(ErrorCode::kIo,
                     "mkdtemp: " + std::string(std::strerror(errno)));
  std::unique_ptr<TinyProxy> proxy(new TinyProxy());
  proxy->dir_ = tmpl;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int port = FreePort();
    if (port <= 0)
      return MakeError(ErrorCode::kHarness, "no free port");
    {
      std::ofstream conf(proxy->dir_ / "tinyproxy.conf");
      conf << "Port " << port << "\nListen 127.0.0.1\nTimeout 60\n"
           << "LogLevel Connect\nMaxClients 50\nDisableViaHeader Yes\n";
      if (!user.empty())
        conf << "BasicAuth " << user << " " << password << "\n";
    }
    const std::string log = (proxy->dir_ / "proxy.log").string();
    const std::string conf = (proxy->dir_ / "tinyproxy.conf").string();
    pid_t pid = ::fork();
    if (pid < 0)
      return MakeError(ErrorCode::kIo,
                       "fork: " + std::string(std::strerror(errno)));
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0)
        ::_exit(126);
      ::execl(binary->c_str(), binary->c_str(), "-d", "-c", conf.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    proxy->pid_ = pid;
    proxy->port_ = port;
    bool exited = false;
    const bool up = PollUntil(
        [&] {
          int status = 0;
          if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            return true;
          }
          return Accepts(port);
        },
        std::chrono::seconds(10));
    if (up && !exited)
      return proxy;
    if (exited)
      proxy->pid_ = -1;
    else
      return MakeError(ErrorCode::kHarness,
                       "tinyproxy did not listen:\n" + proxy->Log());
  }
  return MakeError(ErrorCode::kHarness,
                   "tinyproxy kept failing to start:\n" + proxy->Log());
}

TinyProxy::~TinyProxy() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string TinyProxy::Url(const std::string& userinfo) const {
  return "http://" + (userinfo.empty() ? std::string() : userinfo + "@") +
         "127.0.0.1:" + std::to_string(port_);
}

std::string TinyProxy::Log() const {
  std::ifstream in(dir_ / "proxy.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int TinyProxy::Connects(const std::string& host_port) const {
  const std::string log = Log();
  const std::string needle = "CONNECT " + host_port;
  int n = 0;
  for (auto pos = log.find(needle); pos != std::string::npos;
       pos = log.find(needle, pos + 1))
    ++n;
  return n;
}

}  // namespace gg::e2e
