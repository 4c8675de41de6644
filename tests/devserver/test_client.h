// A plain HTTP client for devserver_test: signs authorize calls with the
// shared helpers (platform/signing.h), as an independent caller would.
#ifndef GG_TESTS_DEVSERVER_TEST_CLIENT_H_
#define GG_TESTS_DEVSERVER_TEST_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "platform/result.h"
#include "tests/devserver/harness.h"

namespace gg::devserver::testing {

struct Call {
  std::string api_key = kDemoApiKey;
  std::string secret = kDemoSigningSecret;
  std::string body;
  std::string nonce;                     // empty: 32 fresh hex characters
  std::optional<std::string> timestamp;  // default: now + clock_skew
  long long clock_skew = 0;
  std::optional<std::string> signature;  // default: the correct HMAC
  bool send_timestamp = true;
  bool send_nonce = true;
  bool send_signature = true;
  std::chrono::milliseconds timeout{10000};
};

struct Answer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string nonce;         // as sent
  std::string request_body;  // as sent

  std::string Header(const std::string& name) const;
  nlohmann::json Json() const;
  // error.code or reasonCode.
  std::string Code() const;
  // True when X-GG-Response-Signature verifies with the demo public key.
  bool SignatureVerifies() const;
};

// {"productId","licenseKey","hwid","sessions","instanceId","agentVersion"}.
std::string Body(const std::string& license_key,
                 const std::string& hwid = "a1b2c3d4",
                 int sessions = 1,
                 const std::string& product_id = kDemoProductId);

// POST /v1/licenses/authorize; an Error on transport failure (the message
// holds httplib's error name).
Result<Answer> Authorize(const DevServer& server, const Call& call);

// Any request (whoami, unknown routes), with optional headers.
Result<Answer> Send(const DevServer& server,
                    const std::string& method,
                    const std::string& path,
                    const httplib::Headers& headers,
                    const std::string& body = "");

}  // namespace gg::devserver::testing

#endif  // GG_TESTS_DEVSERVER_TEST_CLIENT_H_
