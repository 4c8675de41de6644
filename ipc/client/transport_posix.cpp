// The Unix-socket transport of libggclient (Linux, macOS), with the check
// of who is listening (issue 16 point 5: a socket planted by another user
// received every app's license keys and answered "allow").
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ipc/client/transport.h"
#include "ipc/peer_credentials.h"

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

  bool WaitReadable(int timeout_ms) override {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, timeout_ms) != 0;
  }

  std::intptr_t WaitHandle() const override { return fd_; }

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

namespace {

// The uid of the "gg-agent" system user the packaged agent runs as, or -1.
long long AgentUserUid() {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r("gg-agent", &pw, buf.data(), buf.size(), &found) != 0 ||
      found == nullptr) {
    return -1;
  }
  return static_cast<long long>(found->pw_uid);
}

bool TrustedAgentUid(long long peer_uid, long long configured) {
  if (peer_uid < 0) {
    return false;  // the OS would not say: fail closed
  }
  return peer_uid == 0 || peer_uid == static_cast<long long>(geteuid()) ||
         peer_uid == static_cast<long long>(getuid()) ||
         (configured >= 0 && peer_uid == configured) ||
         peer_uid == AgentUserUid();
}

}  // namespace

std::unique_ptr<Transport> Connect(const std::string& path,
                                   int timeout_ms,
                                   long long agent_uid,
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
  auto transport = std::make_unique<PosixTransport>(fd);
  const long long peer_uid = gg::ipc::ReadPeerCredentials(fd).uid;
  if (!TrustedAgentUid(peer_uid, agent_uid)) {
    error = "refusing " + path + ": it is served by uid " +
            std::to_string(peer_uid) +
            ", not root, this user or the agent's user";
    return nullptr;
  }
  return transport;
}

}  // namespace gg::client_internal
