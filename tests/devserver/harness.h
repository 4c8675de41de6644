// Test support: runs the real gg-devserver binary as a child process, for
// the tests of any module (no gtest dependency). Link `gg_devserver_harness`;
// it builds gg-devserver and the test certificates first.
//
//   auto server = gg::devserver::DevServer::Start({});   // demo fixtures
//   ASSERT_TRUE(server) << server.error().message;
//   (*server)->SetFault({{"times", 1}, {"action", "drop"}});
//   ... point the client at (*server)->BaseUrl() ...
//
// Thread-safety: one DevServer is used from one thread at a time. The
// destructor kills the child if it still runs.
#ifndef GG_TESTS_DEVSERVER_HARNESS_H_
#define GG_TESTS_DEVSERVER_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/result.h"

namespace gg::devserver {

// tests/devserver/demo-fixtures.json in the source tree.
std::string DemoFixturesPath();
// Base64 raw Ed25519 public key of the demo fixtures' responseSigningKeySeed.
std::string DemoResponsePublicKey();
// What the demo fixtures hold, for tests that sign requests.
inline constexpr char kDemoApiKey[] = "gg_dev_key";
inline constexpr char kDemoSigningSecret[] = "dev-signing-secret";
inline constexpr char kDemoProductId[] = "7d7b5f0e-3c1a-4a52-9f0e-2b9e6c1d4a10";
inline constexpr char kDemoLicenseKey[] = "DEMO-ALLOW-0001";

// Directory made at build time by scripts/make-test-ca.sh: ca.pem (trust
// this), server.pem + server-key.pem (127.0.0.1 and localhost, signed by
// ca.pem), other-ca.pem (an unrelated CA), wrong-host.pem +
// wrong-host-key.pem (signed by ca.pem, for wrong.invalid only).
std::string TestCertDir();

struct DevServerOptions {
  std::string fixtures_path = DemoFixturesPath();
  std::string listen = "127.0.0.1:0";
  std::string admin_token = "test-admin-token";  // empty: no admin routes
  // Serve HTTPS. Empty paths mean TestCertDir()'s server.pem,
  // server-key.pem and ca.pem (the CA the admin helpers trust).
  bool tls = false;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
  std::vector<std::string> extra_args;
  std::chrono::milliseconds start_timeout{15000};
};

class DevServer {
 public:
  // Starts gg-devserver and waits (bounded) for its "listening on" line.
  [[nodiscard]] static Result<std::unique_ptr<DevServer>> Start(
      DevServerOptions options);
  ~DevServer();
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT", no trailing slash.
  const std::string& BaseUrl() const { return base_url_; }
  int Port() const { return port_; }
  pid_t Pid() const { return pid_; }
  bool Running() const { return pid_ > 0; }

  // SIGTERM, then waits (bounded, then SIGKILL); returns the exit status
  // (exit code, or 128 + signal).
  Result<int> Stop(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL and reap; no-op when not running.
  void Kill();

  // Admin controls (spec/devserver.md "Test controls"); errors carry the
  // HTTP status and body.
  [[nodiscard]] Status SetFault(const nlohmann::json& fault);
  [[nodiscard]] Status SetClockOffset(long long seconds);
  [[nodiscard]] Status PutLicense(const std::string& key,
                                  const nlohmann::json& license);
  // The "requests" array of GET /__admin/requests.
  [[nodiscard]] Result<nlohmann::json> Requests();
  [[nodiscard]] Status Reset();

 private:
  DevServer() = default;
  Result<std::string> Admin(const std::string& method,
                            const std::string& path,
                            const std::string& body);

  DevServerOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string base_url_;
};

// Runs gg-devserver with `args` (no --listen added) and waits until it exits,
// for start-up failures; returns exit status and what it wrote to stderr.
struct ExitResult {
  int status = -1;
  std::string stderr_text;
};
[[nodiscard]] Result<ExitResult> RunDevServerToExit(
    const std::vector<std::string>& args,
    std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_HARNESS_H_
