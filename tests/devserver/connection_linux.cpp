#include "tests/devserver/connection.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace gg::devserver {
namespace {

int PortOf(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return -1;
}

// httplib does not expose the socket of a plain request; find it among our
// own descriptors by its (local port, peer port) pair, unique per process.
int FindSocket(const httplib::Request& req) {
  if (req.ssl != nullptr) {
    return SSL_get_fd(req.ssl);
  }
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return -1;
  }
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') {
      continue;
    }
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof local;
    socklen_t peer_len = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local),
                    &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer),
                    &peer_len) != 0) {
      continue;
    }
    if (PortOf(local) == req.local_port && PortOf(peer) == req.remote_port) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(dir);
  return found;
}

}  // namespace

bool DropConnection(const httplib::Request& req) {
  int fd = FindSocket(req);
  if (fd < 0) {
    return false;
  }
  // shutdown, not close: httplib still owns and later closes the descriptor.
  return shutdown(fd, SHUT_RDWR) == 0;
}

void HangConnection(const httplib::Request& req,
                    const std::atomic<bool>& stop,
                    std::chrono::milliseconds limit) {
  int fd = FindSocket(req);
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
    // Without the socket (not expected) poll on nothing: just wait.
    pollfd p{fd, POLLRDHUP, 0};
    int n = poll(&p, fd >= 0 ? 1 : 0, 100);
    if (n < 0 && errno != EINTR) {
      break;
    }
    if (n > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) {
      break;  // the client gave up
    }
  }
  if (fd >= 0) {
    shutdown(fd, SHUT_RDWR);
  }
}

}  // namespace gg::devserver
