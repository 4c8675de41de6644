// Test support: a hostile "license server" on 127.0.0.1 (port 0), for the
// tests of the agent under a server's faults (issue 13 point 5). It speaks
// just enough HTTP/1.1 to misbehave on purpose:
//
//   kHang              reads the request, never answers, keeps the socket
//   kDropMidBody       a 200 with Content-Length: 1000, 10 bytes of body,
//                      then closes
//   kHugeBody          a 200 with a 10 MiB body, written as fast as the peer
//                      reads (with a Content-Length on even connections,
//                      close-delimited on odd ones, so a client's cap is
//                      hit both up front and while streaming)
//   kMalformedHeaders  by connection, in turn: garbage header lines (no
//                      colon, binary, an empty name, a non-numeric
//                      Content-Length); one 1 MiB header line; an endless
//                      flood of small headers; a garbage status line
//   kTrickle           a valid-looking 200, one byte a second
//   kGarbageTls        for an https:// base URL: answers the ClientHello
//                      with 16 KiB of (seeded, reproducible) random bytes
//
// Whatever the mode, a peer that closes ends its connection quietly, and the
// server keeps reading every connection, so it sees that at once.
//
// Threads: one, polling the listening socket, a self-pipe and every
// connection (none blocks another; the trickle's timer is poll's timeout).
// The destructor wakes it through the pipe, joins it and closes every
// socket. The counters may be read from any thread.
#ifndef GG_TESTS_INTEGRATION_HOSTILE_SERVER_H_
#define GG_TESTS_INTEGRATION_HOSTILE_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "platform/result.h"

namespace gg::e2e {

enum class HostileMode {
  kHang,
  kDropMidBody,
  kHugeBody,
  kMalformedHeaders,
  kTrickle,
  kGarbageTls,
};

// "Hang", "DropMidBody", ...: for test names and messages.
std::string_view Name(HostileMode mode);

class HostileServer {
 public:
  // Listens on 127.0.0.1, a free port, and starts the thread.
  [[nodiscard]] static Result<std::unique_ptr<HostileServer>> Start(
      HostileMode mode);
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  // "http://127.0.0.1:PORT", or "https://..." for kGarbageTls.
  std::string BaseUrl() const;
  // Connections accepted so far, and those still open on this side.
  int Accepted() const { return accepted_.load(); }
  int Open() const { return open_.load(); }

 private:
  HostileServer(HostileMode mode, int listen_fd, int port, int wake[2]);
  void Run();

  const HostileMode mode_;
  const int listen_fd_;
  const int port_;
  const int wake_read_;
  const int wake_write_;
  std::atomic<int> accepted_{0};
  std::atomic<int> open_{0};
  std::thread thread_;  // last: started once the rest is set
};

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_HOSTILE_SERVER_H_
