#include "bench/echo_server.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

namespace gg::bench {
namespace {

struct Conn {
  std::string in;
  std::string out;
};

// Writes as much of `c.out` as the socket takes; false when the peer is gone.
bool Flush(int fd, Conn& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0)
      return errno == EAGAIN || errno == EINTR;
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string EchoRequest(std::size_t request_size, std::size_t answer_size) {
  std::string s = std::to_string(answer_size) + " ";
  if (request_size > s.size() + 1)
    s.append(request_size - s.size() - 1, 'x');
  s.push_back('\n');
  return s;
}

EchoServer::~EchoServer() {
  Stop();
}

Status EchoServer::Start(const std::string& path) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0)
    return MakeError(ErrorCode::kIo,
                     std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    return MakeError(ErrorCode::kIo, "socket path too long");
  std::memcpy(addr.sun_path, path.data(), path.size());
  ::unlink(path.c_str());
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
          0 ||
      ::listen(listen_fd_, 1024) != 0)
    return MakeError(ErrorCode::kIo,
                     std::string("bind/listen: ") + std::strerror(errno));
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0)
    return MakeError(ErrorCode::kIo,
                     std::string("epoll: ") + std::strerror(errno));
  for (int fd : {listen_fd_, wake_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0)
      return MakeError(ErrorCode::kIo,
                       std::string("epoll_ctl: ") + std::strerror(errno));
  }
  thread_ = std::thread([this] { Loop(); });
  return Ok();
}

void EchoServer::Stop() {
  if (thread_.joinable()) {
    std::uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof(one)) < 0)
      std::abort();  // the loop would never end
    thread_.join();
  }
  for (int* fd : {&listen_fd_, &epoll_fd_, &wake_fd_}) {
    if (*fd >= 0)
      ::close(*fd);
    *fd = -1;
  }
}

void EchoServer::Loop() {
  std::map<int, Conn> conns;
  epoll_event events[64];
  bool running = true;
  while (running) {
    int n = ::epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        running = false;
      } else if (fd == listen_fd_) {
        int c;
        while ((c = ::accept4(listen_fd_, nullptr, nullptr,
                              SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.fd = c;
          if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c, &ev) != 0) {
            ::close(c);
            continue;
          }
          conns[c];
        }
      } else {
        Conn& c = conns[fd];
        bool alive = true;
        char buf[16384];
        for (;;) {
          ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
          if (r > 0) {
            c.in.append(buf, static_cast<std::size_t>(r));
            continue;
          }
          if (r == 0 || (errno != EAGAIN && errno != EINTR))
            alive = false;
          break;
        }
        std::size_t pos = 0, nl;
        while ((nl = c.in.find('\n', pos)) != std::string::npos) {
          std::size_t want = std::strtoul(c.in.c_str() + pos, nullptr, 10);
          c.out.append(want > 1 ? want - 1 : 0, 'y');
          c.out.push_back('\n');
          pos = nl + 1;
        }
        c.in.erase(0, pos);
        if (alive)
          alive = Flush(fd, c);
        if (!alive) {
          ::close(fd);
          conns.erase(fd);
        }
      }
    }
  }
  for (auto& [fd, c] : conns)
    ::close(fd);
}

}  // namespace gg::bench
