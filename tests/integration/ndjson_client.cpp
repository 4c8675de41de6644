#include "tests/integration/ndjson_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gg::e2e {
namespace {

using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

Error Errno(const std::string& what) {
  return Error{ErrorCode::kIo, what + ": " + std::strerror(errno)};
}

}  // namespace

Result<std::unique_ptr<NdjsonClient>> NdjsonClient::Connect(
    const std::filesystem::path& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof(addr.sun_path))
    return MakeError(ErrorCode::kIo, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return tl::unexpected(Errno("socket"));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Error e = Errno("connect " + path);
    ::close(fd);
    return tl::unexpected(e);
  }
  std::unique_ptr<NdjsonClient> client(new NdjsonClient());
  client->fd_ = fd;
  return client;
}

std::unique_ptr<NdjsonClient> NdjsonClient::Adopt(int fd) {
  std::unique_ptr<NdjsonClient> client(new NdjsonClient());
  client->fd_ = fd;
  return client;
}

NdjsonClient::~NdjsonClient() {
  if (fd_ >= 0)
    ::close(fd_);
}

Status NdjsonClient::Send(nlohmann::json request) {
  if (!request.contains("v"))
    request["v"] = 1;
  std::string line = request.dump() + "\n";
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(fd_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return tl::unexpected(Errno("send"));
    off += static_cast<size_t>(n);
  }
  return Ok();
}

Result<nlohmann::json> NdjsonClient::ReadLine(Ms timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      if (parsed.is_discarded())
        return MakeError(ErrorCode::kProtocol, "not JSON: " + line);
      return parsed;
    }
    auto left = std::chrono::duration_cast<Ms>(deadline - SteadyClock::now());
    if (left.count() <= 0)
      return MakeError(ErrorCode::kTimeout, "no line from the agent in time");
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return tl::unexpected(Errno("poll"));
    if (r == 0)
      continue;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return tl::unexpected(Errno("recv"));
    if (n == 0)
      return MakeError(ErrorCode::kClosed, "the agent closed the connection");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

Result<nlohmann::json> NdjsonClient::ReadAnswer(Ms timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<Ms>(deadline - SteadyClock::now());
    auto line = ReadLine(left.count() > 0 ? left : Ms(0));
    if (!line)
      return line;
    if (line->contains("event")) {
      events_.push_back(std::move(*line));
      continue;
    }
    return line;
  }
}

Result<nlohmann::json> NdjsonClient::NextEvent(Ms timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (events_.empty()) {
    auto left = std::chrono::duration_cast<Ms>(deadline - SteadyClock::now());
    auto line = ReadLine(left.count() > 0 ? left : Ms(0));
    if (!line)
      return line;
    if (!line->contains("event"))
      return MakeError(ErrorCode::kProtocol,
                       "an answer while waiting for an event: " + line->dump());
    events_.push_back(std::move(*line));
  }
  nlohmann::json e = std::move(events_.front());
  events_.pop_front();
  return e;
}

Result<nlohmann::json> NdjsonClient::Call(nlohmann::json request) {
  const long long id = next_id_++;
  request["id"] = id;
  if (auto s = Send(std::move(request)); !s)
    return tl::unexpected(s.error());
  auto answer = ReadAnswer();
  if (answer && answer->value("id", -1LL) != id)
    return MakeError(ErrorCode::kProtocol,
                     "answer for another id: " + answer->dump());
  return answer;
}

Result<nlohmann::json> NdjsonClient::Authorize(const std::string& product,
                                               const std::string& key,
                                               bool detached) {
  nlohmann::json req = {
      {"op", "authorize"}, {"productId", product}, {"licenseKey", key}};
  if (detached)
    req["detached"] = true;
  return Call(std::move(req));
}

bool NdjsonClient::AwaitClosed(Ms timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<Ms>(deadline - SteadyClock::now());
    if (left.count() <= 0)
      return false;
    auto line = ReadLine(left);
    if (!line)
      return line.error().code == ErrorCode::kClosed ||
             line.error().code == ErrorCode::kIo;
    if (line->contains("event"))
      events_.push_back(std::move(*line));
  }
}

}  // namespace gg::e2e
