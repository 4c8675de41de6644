#include "tests/integration/hostile_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <random>
#include <vector>

namespace gg::e2e {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A request that has not ended by then is not one the agent sends.
constexpr std::size_t kMaxRequestBytes = 1u << 20;
constexpr std::size_t kHugeBodyBytes = 10u << 20;
// What one connection may write per turn, so a fast reader cannot keep the
// thread from the others.
constexpr std::size_t kTurnBytes = 1u << 20;
constexpr std::size_t kTlsGarbageBytes = 16 * 1024;

struct Connection {
  int fd = -1;
  int index = 0;   // accept order: picks a variant
  std::string in;  // the request so far, until answered
  bool answered = false;
  std::string out;  // bytes to write
  std::size_t out_off = 0;
  // Appends more to `out` when it runs dry (a huge body, a header flood);
  // false when there is no more. Empty: nothing beyond `out`.
  std::function<bool(std::string&)> refill;
  bool close_when_written = false;
  bool trickle = false;  // one byte a second, on the timer
  SteadyClock::time_point next_byte{};

  bool Pending() const { return out_off < out.size() || refill != nullptr; }
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

// True once `in` holds a whole request: the headers, then Content-Length
// bytes of body (the agent always sends one).
bool RequestComplete(const std::string& in) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) {
    return false;
  }
  const std::string head = Lower(std::string_view(in).substr(0, end + 2));
  std::size_t length = 0;
  const auto at = head.find("\r\ncontent-length:");
  if (at != std::string::npos) {
    length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
  }
  return in.size() >= end + 4 + length;
}

constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";

void AnswerMalformed(Connection& c) {
  switch (c.index % 4) {
    case 0:
      c.out = std::string(kOk) +
              "this line has no colon\r\n"
              "\x01\x7f\xff\xfe binary: \x80\x81\r\n"
              ": an empty name\r\n"
              "Content-Length: nope\r\n"
              " a folded continuation of nothing\r\n"
              "\r\n{}";
      c.close_when_written = true;
      return;
    case 1:
      c.out = std::string(kOk) + "X-Huge: " + std::string(1u << 20, 'a') +
              "\r\n\r\n{}";
      c.close_when_written = true;
      return;
    case 2:
      // Headers until the peer gives up: only its own cap stops them.
      c.out = kOk;
      c.refill = [n = 0](std::string& out) mutable {
        for (int i = 0; i < 1000; ++i, ++n) {
          out += "X-Flood-" + std::to_string(n) + ": " + std::to_string(n) +
                 "\r\n";
        }
        return true;
      };
      return;
    default:
      c.out = "HTTX/1.1 two hundred\r\nContent-Length: 2\r\n\r\n{}";
      c.close_when_written = true;
      return;
  }
}

// Queues what the mode answers once the request (or, for TLS, the
// ClientHello) is in.
void Answer(Connection& c, HostileMode mode) {
  switch (mode) {
    case HostileMode::kHang:
      return;
    case HostileMode::kDropMidBody:
      c.out = std::string(kOk) + "Content-Length: 1000\r\n\r\n{\"ok\":true";
      c.close_when_written = true;
      return;
    case HostileMode::kHugeBody: {
      c.out = kOk;
      c.out += c.index % 2 == 0
                   ? "Content-Length: " + std::to_string(kHugeBodyBytes)
                   : std::string("Connection: close");
      c.out += "\r\n\r\n";
      c.refill = [left = kHugeBodyBytes](std::string& out) mutable {
        if (left == 0) {
          return false;
        }
        const std::size_t n = std::min<std::size_t>(left, 64 * 1024);
        out.append(n, 'x');
        left -= n;
        return true;
      };
      c.close_when_written = true;
      return;
    }
    case HostileMode::kMalformedHeaders:
      AnswerMalformed(c);
      return;
    case HostileMode::kTrickle:
      c.out =
          std::string(kOk) +
          "Content-Length: 64\r\n\r\n"
          "{\"ok\":true,\"data\":{\"allow\":true,\"pad\":\"..............\"}}";
      c.trickle = true;
      c.next_byte = SteadyClock::now();
      c.close_when_written = true;
      return;
    case HostileMode::kGarbageTls: {
      std::mt19937 random(static_cast<unsigned>(c.index) + 1);
      c.out.resize(kTlsGarbageBytes);
      for (char& ch : c.out) {
        ch = static_cast<char>(random() & 0xff);
      }
      return;  // the peer gives up and closes
    }
  }
}

enum class Step { kKeep, kClose };

// Reads what is there; answers once the request is in. Reads never stop
// (after the answer they are dropped), so a peer's close is seen at once.
Step ReadFrom(Connection& c, HostileMode mode) {
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) {
      return Step::kClose;
    }
    if (n < 0) {
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
                 ? Step::kKeep
                 : Step::kClose;
    }
    if (c.answered) {
      continue;
    }
    if (c.in.size() + static_cast<std::size_t>(n) > kMaxRequestBytes) {
      return Step::kClose;
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    if (mode == HostileMode::kGarbageTls || RequestComplete(c.in)) {
      c.answered = true;
      std::string().swap(c.in);
      Answer(c, mode);
    }
  }
}

// Sends up to `limit` bytes of what is queued; closes when the answer is
// all out and the mode says so, or when the peer has gone.
Step WriteTo(Connection& c, std::size_t limit) {
  std::size_t sent = 0;
  while (sent < limit) {
    if (c.out_off == c.out.size()) {
      c.out.clear();
      c.out_off = 0;
      if (!c.refill || !c.refill(c.out)) {
        c.refill = nullptr;
        return c.close_when_written ? Step::kClose : Step::kKeep;
      }
    }
    const std::size_t n = std::min(c.out.size() - c.out_off, limit - sent);
    const ssize_t w =
        ::send(c.fd, c.out.data() + c.out_off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
                 ? Step::kKeep
                 : Step::kClose;  // EPIPE, ECONNRESET: the peer has gone
    }
    c.out_off += static_cast<std::size_t>(w);
    sent += static_cast<std::size_t>(w);
  }
  if (c.out_off == c.out.size() && !c.refill && c.close_when_written) {
    return Step::kClose;  // the last byte of a trickle
  }
  return Step::kKeep;
}

}  // namespace

std::string_view Name(HostileMode mode) {
  switch (mode) {
    case HostileMode::kHang:
      return "Hang";
    case HostileMode::kDropMidBody:
      return "DropMidBody";
    case HostileMode::kHugeBody:
      return "HugeBody";
    case HostileMode::kMalformedHeaders:
      return "MalformedHeaders";
    case HostileMode::kTrickle:
      return "Trickle";
    case HostileMode::kGarbageTls:
      return "GarbageTls";
  }
  return "?";
}

Result<std::unique_ptr<HostileServer>> HostileServer::Start(HostileMode mode) {
  auto fail = [](const char* what) {
    return MakeError(ErrorCode::kIo,
                     std::string(what) + ": " + std::strerror(errno));
  };
  const int fd =
      ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return fail("socket");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  // A deep backlog: a thousand connects may come at once.
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 4096) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    auto e = fail("bind/listen");
    ::close(fd);
    return e;
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    auto e = fail("pipe2");
    ::close(fd);
    return e;
  }
  return std::unique_ptr<HostileServer>(
      new HostileServer(mode, fd, ntohs(addr.sin_port), wake));
}

HostileServer::HostileServer(HostileMode mode,
                             int listen_fd,
                             int port,
                             int wake[2])
    : mode_(mode),
      listen_fd_(listen_fd),
      port_(port),
      wake_read_(wake[0]),
      wake_write_(wake[1]) {
  thread_ = std::thread([this] { Run(); });
}

HostileServer::~HostileServer() {
  const char byte = 0;
  // The pipe is empty (nobody else writes it), so this cannot block or
  // fail short; if it failed anyway, join would wait for ever: abort.
  if (::write(wake_write_, &byte, 1) != 1) {
    std::terminate();
  }
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

std::string HostileServer::BaseUrl() const {
  return (mode_ == HostileMode::kGarbageTls ? "https" : "http") +
         std::string("://127.0.0.1:") + std::to_string(port_);
}

void HostileServer::Run() {
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<pollfd> fds;
  auto close_at = [&](std::size_t i) {
    ::close(conns[i]->fd);
    conns[i] = std::move(conns.back());
    conns.pop_back();
    --open_;
  };
  for (;;) {
    fds.assign({{wake_read_, POLLIN, 0}, {listen_fd_, POLLIN, 0}});
    int timeout_ms = -1;
    const auto now = SteadyClock::now();
    for (const auto& c : conns) {
      short events = POLLIN;
      if (c->trickle && c->Pending()) {
        const auto wait =
            std::chrono::ceil<std::chrono::milliseconds>(c->next_byte - now);
        const int ms = static_cast<int>(std::max<long long>(0, wait.count()));
        timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
      } else if (c->Pending()) {
        events |= POLLOUT;
      }
      fds.push_back({c->fd, events, 0});
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      break;  // cannot happen with valid descriptors; stop rather than spin
    }
    if (fds[0].revents != 0) {
      break;  // the destructor
    }
    // Connections from last turn first (indices match fds[2 + i]); new
    // ones join the next turn. Walk backwards: close_at moves the last one.
    for (std::size_t i = conns.size(); i-- > 0;) {
      Connection& c = *conns[i];
      const short rev = fds[2 + i].revents;
      Step step = Step::kKeep;
      if (rev & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
        step = ReadFrom(c, mode_);
        if (rev & (POLLERR | POLLNVAL)) {
          step = Step::kClose;
        }
      }
      if (step == Step::kKeep && c.Pending()) {
        if (!c.trickle && (rev & POLLOUT)) {
          step = WriteTo(c, kTurnBytes);
        } else if (c.trickle && SteadyClock::now() >= c.next_byte) {
          c.next_byte += std::chrono::seconds(1);
          step = WriteTo(c, 1);
        }
      }
      if (step == Step::kClose) {
        close_at(i);
      }
    }
    if (fds[1].revents & POLLIN) {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr,
                                 SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
          break;  // EAGAIN: all taken; anything else: the next turn retries
        }
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        c->index = accepted_++;
        ++open_;
        conns.push_back(std::move(c));
      }
    }
  }
  for (auto& c : conns) {
    ::close(c->fd);
    --open_;
  }
}

}  // namespace gg::e2e
