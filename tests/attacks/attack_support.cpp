#include "tests/attacks/attack_support.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/integration/proc_stats.h"

namespace gg::attacks {
namespace {

Error Errno(const std::string& what) {
  return Error{ErrorCode::kIo, what + ": " + std::strerror(errno)};
}

bool WriteAll(int fd, const char* data, ssize_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, static_cast<size_t>(n));
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    data += w;
    n -= w;
  }
  return true;
}

// The child: become `uid`, connect, relay until either side closes. Raw
// syscalls only, the parent may have threads.
[[noreturn]] void Relay(const char* path, uid_t uid, int pair_fd) {
  gid_t gid = static_cast<gid_t>(uid);
  if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 ||
      ::setresuid(uid, uid, uid) != 0)
    ::_exit(2);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    ::_exit(3);
  char buf[65536];
  pollfd p[2] = {{pair_fd, POLLIN, 0}, {fd, POLLIN, 0}};
  for (;;) {
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      ::_exit(4);
    }
    for (int i = 0; i < 2; ++i) {
      if (p[i].revents == 0)
        continue;
      ssize_t n = ::read(p[i].fd, buf, sizeof(buf));
      if (n <= 0 || !WriteAll(p[1 - i].fd, buf, n))
        ::_exit(0);  // either side closed: so does the other
    }
  }
}

}  // namespace

Result<std::unique_ptr<ForeignClient>> ForeignClient::Connect(
    const std::filesystem::path& socket_path,
    uid_t uid) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return tl::unexpected(Errno("socketpair"));
  const std::string path = socket_path.string();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pair[0]);
    ::close(pair[1]);
    return tl::unexpected(Errno("fork"));
  }
  if (pid == 0) {
    ::close(pair[0]);
    Relay(path.c_str(), uid, pair[1]);
  }
  ::close(pair[1]);
  std::unique_ptr<ForeignClient> c(new ForeignClient());
  c->pid_ = pid;
  c->client_ = e2e::NdjsonClient::Adopt(pair[0]);
  return c;
}

ForeignClient::~ForeignClient() {
  client_.reset();  // closes our end: the relay closes the agent's
  if (pid_ > 0) {
    int status = 0;
    // The relay exits on its own once our end is closed; a kill only if
    // it is stuck.
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_)
        return;
      ::usleep(10000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
}

Result<int> ConnectRaw(const std::filesystem::path& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return tl::unexpected(Errno("socket"));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Error e = Errno("connect");
    ::close(fd);
    return tl::unexpected(e);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

Result<nlohmann::json> ReadLineRaw(
    int fd,
    std::chrono::steady_clock::time_point deadline) {
  std::string line;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return MakeError(ErrorCode::kTimeout, "no line in time");
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno != EINTR)
      return tl::unexpected(Errno("poll"));
    if (r <= 0)
      continue;
    char c = 0;
    ssize_t n = ::recv(fd, &c, 1, 0);  // byte by byte: never past the line
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return MakeError(ErrorCode::kClosed, "closed before a whole line");
    if (c == '\n') {
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      if (parsed.is_discarded())
        return MakeError(ErrorCode::kProtocol, "not JSON: " + line);
      return parsed;
    }
    line.push_back(c);
  }
}

long long RssKib(pid_t pid) {
  return e2e::RssKib(pid);  // one reader of /proc/PID/status
}

bool CanSwitchUsers() {
  return ::geteuid() == 0;
}

}  // namespace gg::attacks
