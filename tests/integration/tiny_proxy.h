// Test support: a real HTTP proxy (Debian's tinyproxy, installed by
// scripts/deps.sh) as a child process on loopback, with or without Basic
// credentials, logging every request it relays (CONNECT included).
#ifndef GG_TESTS_INTEGRATION_TINY_PROXY_H_
#define GG_TESTS_INTEGRATION_TINY_PROXY_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "platform/result.h"

namespace gg::e2e {

class TinyProxy {
 public:
  // nullopt when tinyproxy is not installed.
  static std::optional<std::string> Binary();
  // Starts tinyproxy on a free loopback port; with `user` set it requires
  // Basic credentials user:password. Waits until it accepts connections.
  [[nodiscard]] static Result<std::unique_ptr<TinyProxy>> Start(
      const std::string& user = "",
      const std::string& password = "");
  ~TinyProxy();
  TinyProxy(const TinyProxy&) = delete;
  TinyProxy& operator=(const TinyProxy&) = delete;

  int Port() const { return port_; }
  // "http://127.0.0.1:PORT", with "user:password@" when given.
  std::string Url(const std::string& userinfo = "") const;
  std::string Log() const;
  // How many CONNECT requests it saw for `host_port` ("127.0.0.1:1234").
  int Connects(const std::string& host_port) const;

 private:
  TinyProxy() = default;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_TINY_PROXY_H_
