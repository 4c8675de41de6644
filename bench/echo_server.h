// The benchmark's baseline: a bare Unix-socket line server on one epoll
// thread (the agent also answers on one event loop), with no parsing beyond
// finding '\n'. A request line starts with the decimal length of the answer
// it wants (then any padding), so the baseline moves exactly the bytes a
// real authorize/release exchange moves.
//
// Threads: Start() runs the loop on a thread of its own; Stop() (or the
// destructor) ends it and closes every connection.
#ifndef GG_BENCH_ECHO_SERVER_H_
#define GG_BENCH_ECHO_SERVER_H_

#include <atomic>
#include <string>
#include <thread>

#include "platform/result.h"

namespace gg::bench {

class EchoServer {
 public:
  EchoServer() = default;
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  [[nodiscard]] Status Start(const std::string& path);
  void Stop();

 private:
  void Loop();

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

// A request line of exactly `request_size` bytes (with '\n') asking for an
// answer of `answer_size` bytes (with '\n').
std::string EchoRequest(std::size_t request_size, std::size_t answer_size);

}  // namespace gg::bench

#endif  // GG_BENCH_ECHO_SERVER_H_
