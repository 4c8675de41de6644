// Test support: a tiny NDJSON client over the agent's Unix socket
// (spec/ipc.md framing), so tests see exactly what goes over the wire.
// Events ({"event":...}) read while waiting for an answer are queued and
// handed out by NextEvent().
//
// Thread-safety: one client per thread. Every read has a bounded deadline.
#ifndef GG_TESTS_INTEGRATION_NDJSON_CLIENT_H_
#define GG_TESTS_INTEGRATION_NDJSON_CLIENT_H_

#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::e2e {

inline constexpr std::chrono::milliseconds kReadTimeout{20000};

class NdjsonClient {
 public:
  [[nodiscard]] static Result<std::unique_ptr<NdjsonClient>> Connect(
      const std::filesystem::path& socket_path);
  // Takes over a connected stream socket (closed by the destructor).
  static std::unique_ptr<NdjsonClient> Adopt(int fd);
  ~NdjsonClient();
  NdjsonClient(const NdjsonClient&) = delete;
  NdjsonClient& operator=(const NdjsonClient&) = delete;

  // Writes one request line (adds "v":1 when absent).
  [[nodiscard]] Status Send(nlohmann::json request);
  // Next line that is not an event (events are queued).
  [[nodiscard]] Result<nlohmann::json> ReadAnswer(
      std::chrono::milliseconds timeout = kReadTimeout);
  // Next event: queued, else read from the socket until one comes.
  [[nodiscard]] Result<nlohmann::json> NextEvent(
      std::chrono::milliseconds timeout = kReadTimeout);
  // Send + ReadAnswer, with a fresh id.
  [[nodiscard]] Result<nlohmann::json> Call(nlohmann::json request);
  // {"op":"authorize",productId,licenseKey} (+ "detached" when set).
  [[nodiscard]] Result<nlohmann::json> Authorize(const std::string& product,
                                                 const std::string& key,
                                                 bool detached = false);
  // True when the peer closed the connection (reads until EOF, bounded).
  bool AwaitClosed(std::chrono::milliseconds timeout = kReadTimeout);
  int Fd() const { return fd_; }

 private:
  NdjsonClient() = default;
  Result<nlohmann::json> ReadLine(std::chrono::milliseconds timeout);

  int fd_ = -1;
  long long next_id_ = 1;
  std::string buffer_;
  std::deque<nlohmann::json> events_;
};

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_NDJSON_CLIENT_H_
