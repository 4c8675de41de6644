// Helpers for the ipc integration tests: a temp socket directory, a blocking
// line client with bounded waits, and a server running on its own thread.
#ifndef GG_TESTS_IPC_TEST_UTIL_H_
#define GG_TESTS_IPC_TEST_UTIL_H_

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

#include "ipc/server.h"
#include "tests/ipc/fake_handler.h"

namespace gg::ipc::testing {

// A short private directory under /tmp (socket paths must stay < 100 chars).
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ggipcXXXXXX";
    char* made = mkdtemp(tmpl);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A raw protocol client: whole lines in, whole lines out, bounded waits.
class LineClient {
 public:
  explicit LineClient(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr),
                                     sizeof(addr)) == 0;
  }
  ~LineClient() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& data) {
    return send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(data.size());
  }
  // The next line, or nullopt on EOF / after 10 s.
  std::optional<std::string> ReadLine() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      if (!Fill(deadline)) {
        return std::nullopt;
      }
    }
  }
  // True once the server closed the connection (within 10 s).
  bool WaitClosed() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Fill(deadline)) {
    }
    return eof_;
  }
  void Close() {
    close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) {
      return false;
    }
    char buf[65536];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

// The real server with a FakeHandler, its loop on a background thread.
class ServerFixture {
 public:
  explicit ServerFixture(ServerOptions options)
      : work_(asio::make_work_guard(io_)),
        server_(std::make_unique<Server>(io_, handler_, std::move(options))) {}
  ~ServerFixture() {
    asio::post(io_, [this] { server_->Stop(); });
    work_.reset();
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  Status Start() {
    auto started = server_->Start();
    if (started) {
      thread_ = std::thread([this] { io_.run(); });
    }
    return started;
  }
  // Runs `f` on the loop thread and waits for it.
  template <class F>
  auto OnLoop(F f) {
    std::promise<decltype(f())> p;
    auto future = p.get_future();
    asio::post(io_, [&] {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        p.set_value();
      } else {
        p.set_value(f());
      }
    });
    return future.get();
  }
  FakeHandler& handler() { return handler_; }
  Server& server() { return *server_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  FakeHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

inline std::string AuthLine(int id,
                            const std::string& key,
                            bool detached = false) {
  return R"({"v":1,"id":)" + std::to_string(id) +
         R"(,"op":"authorize","productId":"123e4567-e89b-12d3-a456-426614174000","licenseKey":")" +
         key + "\"" + (detached ? ",\"detached\":true" : "") + "}\n";
}

}  // namespace gg::ipc::testing

#endif  // GG_TESTS_IPC_TEST_UTIL_H_
