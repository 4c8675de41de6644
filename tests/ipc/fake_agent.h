// A fake agent for attack tests of the client library: a Unix socket whose
// answers a test scripts byte for byte (floods, no newline, contradictory
// answers). One connection at a time, on its own thread.
#ifndef GG_TESTS_IPC_FAKE_AGENT_H_
#define GG_TESTS_IPC_FAKE_AGENT_H_

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace gg::ipc::testing {

class FakeAgent {
 public:
  // Called with the connection's fd and each request line; writes what it
  // likes with Send(). Returning false closes the connection.
  using Script = std::function<bool(int fd, const nlohmann::json& request)>;

  FakeAgent(const std::string& path, Script script)
      : script_(std::move(script)) {
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ok_ = listen_fd_ >= 0 &&
          bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ==
              0 &&
          listen(listen_fd_, 8) == 0;
    if (ok_) {
      thread_ = std::thread([this] { Run(); });
    }
  }
  ~FakeAgent() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  bool ok() const { return ok_; }
  // Bytes the script managed to write in all (a client that hung up
  // stops the writes early).
  long long bytes_sent() const { return sent_; }

  // Writes all of `data`; false once the peer is gone.
  bool Send(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      off += static_cast<std::size_t>(n);
      sent_ += n;
    }
    return true;
  }

 private:
  void Run() {
    while (!stop_) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        return;
      }
      std::string buf;
      char chunk[4096];
      bool open = true;
      while (open && !stop_) {
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) {
          break;
        }
        buf.append(chunk, static_cast<std::size_t>(n));
        std::size_t nl;
        while (open && (nl = buf.find('\n')) != std::string::npos) {
          auto request =
              nlohmann::json::parse(buf.substr(0, nl), nullptr, false);
          buf.erase(0, nl + 1);
          open = script_(fd, request);
        }
      }
      close(fd);
    }
  }

  Script script_;
  int listen_fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<long long> sent_{0};
  std::thread thread_;
};

// `answer` with the request's id, as one line.
inline std::string AnswerLine(nlohmann::json answer,
                              const nlohmann::json& request) {
  answer["id"] = request.value("id", nlohmann::json());
  return answer.dump() + "\n";
}

}  // namespace gg::ipc::testing

#endif  // GG_TESTS_IPC_FAKE_AGENT_H_
