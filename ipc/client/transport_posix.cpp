#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ipc/client/transport.h"

namespace gg::client_internal {
namespace {

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // macOS: SO_NOSIGPIPE is set at connect
#endif

class PosixTransport : public Transport {
 public:
  explicit PosixTransport(int fd) : fd_(fd) {}
  ~PosixTransport() override { close(fd_); }

  bool WriteAll(std::string_view data,
                int timeout_ms,
                std::string& error) override {
    while (!data.empty()) {
      if (!Wait(POLLOUT, timeout_ms, error)) {
        return false;
      }
      // A vanished agent is an error value, not SIGPIPE.
      ssize_t n = send(fd_, data.data(), data.size(), kSendFlags);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) {
          continue;
        }
        error = std::string("send: ") + std::strerror(errno);
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  bool ReadSome(std::string& out, int timeout_ms, std::string& error) override {
    pollfd p{fd_, POLLIN, 0};
    int rc = poll(&p, 1, timeout_ms);
    if (rc == 0) {
      return true;
    }
    if (rc < 0) {
      if (errno == EINTR) {
        return true;
      }
      error = std::string("poll: ") + std::strerror(errno);
      return false;
    }
    char buf[8192];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      return true;
    }
    error = n == 0 ? "the agent closed the connection"
                   : std::string("recv: ") + std::strerror(errno);
    return false;
  }

 private:
  bool Wait(short events, int timeout_ms, std::string& error) {
    pollfd p{fd_, events, 0};
    int rc = 0;
    do {
      rc = poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0) {
      error =
          rc == 0 ? "timed out" : std::string("poll: ") + std::strerror(errno);
      return false;
    }
    return true;
  }

  int fd_;
};

}  // namespace

std::unique_ptr<Transport> Connect(const std::string& path,
                                   int timeout_ms,
                                   std::string& error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    error = "socket path is empty or too long";
    return nullptr;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
#ifdef SO_NOSIGPIPE
  // macOS has no MSG_NOSIGNAL semantics on every version: set it per socket.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
  int rc = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  if (rc != 0 && (errno == EINPROGRESS || errno == EAGAIN)) {
    // A full backlog: wait for the agent to accept, up to the timeout.
    pollfd p{fd, POLLOUT, 0};
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (poll(&p, 1, timeout_ms) == 1 &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) {
      rc = 0;
    } else {
      errno = soerr != 0 ? soerr : ETIMEDOUT;
    }
  }
  if (rc != 0) {
    error = "cannot connect to " + path + ": " + std::strerror(errno);
    close(fd);
    return nullptr;
  }
  return std::make_unique<PosixTransport>(fd);
}

std::string DefaultEndpoint() {
  // Client code may read the environment (it is not agent/ code).
  if (const char* env = std::getenv("GG_AGENT_SOCKET"); env && *env) {
    return env;
  }
  // A user-mode agent's socket, when one exists: XDG_RUNTIME_DIR on Linux,
  // TMPDIR on macOS (where XDG_RUNTIME_DIR is unset).
  for (const char* var : {"XDG_RUNTIME_DIR", "TMPDIR"}) {
    const char* runtime = std::getenv(var);
    if (runtime == nullptr || *runtime == '\0') {
      continue;
    }
    std::string user = std::string(runtime) + "/gg-agent/agent.sock";
    struct stat st {};
    if (stat(user.c_str(), &st) == 0) {
      return user;
    }
  }
  return "/run/gg-agent/agent.sock";
}

}  // namespace gg::client_internal
