#include "tests/integration/detached_app.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gg::e2e {
namespace {

// Sends `request` on a new connection, copies the answer line to `out_fd`,
// then waits to be killed. Async-signal-safe calls only (after fork).
[[noreturn]] void RunApp(const char* socket_path,
                         const char* request,
                         int out_fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path, sizeof(addr.sun_path) - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    ::_exit(2);
  size_t len = std::strlen(request);
  if (::write(fd, request, len) != static_cast<ssize_t>(len))
    ::_exit(3);
  char buf[4096];
  size_t got = 0;
  while (got < sizeof(buf)) {
    ssize_t n = ::read(fd, buf + got, sizeof(buf) - got);
    if (n <= 0)
      ::_exit(4);
    got += static_cast<size_t>(n);
    if (std::memchr(buf, '\n', got) != nullptr)
      break;
  }
  if (::write(out_fd, buf, got) != static_cast<ssize_t>(got))
    ::_exit(5);
  for (;;)
    ::pause();
}

}  // namespace

Result<DetachedApp> StartDetachedApp(const std::filesystem::path& socket_path,
                                     const std::string& product,
                                     const std::string& key) {
  const std::string path = socket_path.string();
  const std::string request = nlohmann::json{{"v", 1},
                                             {"id", 1},
                                             {"op", "authorize"},
                                             {"productId", product},
                                             {"licenseKey", key},
                                             {"detached", true}}
                                  .dump() +
                              "\n";
  int fds[2];
  if (::pipe(fds) != 0)
    return MakeError(ErrorCode::kIo,
                     "pipe: " + std::string(std::strerror(errno)));
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return MakeError(ErrorCode::kIo,
                     "fork: " + std::string(std::strerror(errno)));
  }
  if (child == 0) {
    ::close(fds[0]);
    RunApp(path.c_str(), request.c_str(), fds[1]);
  }
  ::close(fds[1]);
  pollfd p{fds[0], POLLIN, 0};
  char buf[4096];
  ssize_t n = ::poll(&p, 1, 20000) == 1 ? ::read(fds[0], buf, sizeof(buf)) : -1;
  ::close(fds[0]);
  if (n <= 0) {
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    return MakeError(ErrorCode::kHarness, "the detached app got no answer");
  }
  DetachedApp app;
  app.pid = child;
  app.answer = nlohmann::json::parse(std::string(buf, static_cast<size_t>(n)),
                                     nullptr, false);
  return app;
}

}  // namespace gg::e2e
