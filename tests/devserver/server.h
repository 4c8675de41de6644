// gg-devserver's HTTP(S) front: routes, the authorize pipeline of
// spec/devserver.md (key, signing, rate limits, body, verdict, response
// signature), the admin controls and the per-request log on stderr.
//
// Thread model: cpp-httplib runs handlers on a pool of threads; all mutable
// state (license book, nonces, rate limits, faults, clock offset, request
// log) sits behind one mutex, never held while a fault delays or hangs.
// Stop() may be called from any thread (the signal thread).
#ifndef GG_TESTS_DEVSERVER_SERVER_H_
#define GG_TESTS_DEVSERVER_SERVER_H_

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "platform/result.h"
#include "tests/devserver/api_error.h"
#include "tests/devserver/fixtures.h"
#include "tests/devserver/license_book.h"
#include "tests/devserver/rate_limiter.h"
#include "tests/devserver/request_checks.h"

namespace gg::devserver {

struct ServerOptions {
  Fixtures fixtures;
  std::string admin_token;  // empty: no admin routes at all
  std::string tls_cert;     // both set: HTTPS
  std::string tls_key;
};

// One armed fault of POST /__admin/faults.
struct Fault {
  int times = 1;
  int status = 503;
  std::string code = "SIGNING_UNAVAILABLE";
  std::string message = "Injected fault";
  std::optional<int> retry_after;
  int delay_ms = 0;
  std::string action = "respond";
};

// Parses a fault object; VALIDATION_ERROR names the bad field.
tl::expected<Fault, ApiError> ParseFault(const nlohmann::json& object);

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds `host:port` (port 0: any free port); returns the bound port.
  [[nodiscard]] Result<int> Bind(const std::string& host, int port);
  // Serves until Stop(); false when the listener failed.
  bool Run();
  void Stop();
  bool tls() const { return !options_.tls_cert.empty(); }

 private:
  struct Answer {
    int status = 200;
    std::string code;  // error code or reasonCode; empty on allow
    nlohmann::ordered_json body;
    std::map<std::string, std::string> headers;
    bool verdict = false;  // a license verdict, to be signed
    std::string nonce;
  };

  void Routes();
  void AdminRoutes();
  void Authorize(const httplib::Request& req, httplib::Response& res);
  void Whoami(const httplib::Request& req, httplib::Response& res);
  Answer Pipeline(const httplib::Request& req, long long now);
  std::optional<ApiError> RateLimit(const ApiKey& key,
                                    const std::string& body,
                                    std::map<std::string, std::string>& hdrs);
  std::optional<Fault> TakeFault();
  bool AdminAllowed(const httplib::Request& req, httplib::Response& res);
  void Record(const httplib::Request& req,
              long long now,
              int status,
              const std::string& code,
              const std::string& request_id,
              const std::string& fault);
  void SendAnswer(const httplib::Request& req,
                  httplib::Response& res,
                  Answer answer,
                  long long now,
                  const std::string& action);
  long long NowUnix();
  void Common(httplib::Response& res, long long now);
  void SendError(httplib::Response& res, const ApiError& e);
  void ResetState();

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // guards everything below
  std::unique_ptr<LicenseBook> book_;
  NonceStore nonces_;
  RateLimiter limiter_;
  std::deque<Fault> faults_;
  long long clock_offset_ = 0;
  nlohmann::json requests_ = nlohmann::json::array();
};

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_SERVER_H_
