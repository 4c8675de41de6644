// Steps 4 and 5 of POST /v1/licenses/authorize (spec/devserver.md): the
// request body's validation and the license verdict, with the licenses'
// runtime state (first activation, bound hardware IDs and IPs, reported
// sessions). No I/O and no clock of its own: callers pass server time.
// Not thread-safe: the server calls it under its state lock.
#ifndef GG_TESTS_DEVSERVER_LICENSE_BOOK_H_
#define GG_TESTS_DEVSERVER_LICENSE_BOOK_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/devserver/api_error.h"
#include "tests/devserver/fixtures.h"

namespace gg::devserver {

struct AuthorizeInput {
  std::string product_id;
  std::string license_key;
  std::string hwid;
  int sessions = 1;
  std::string instance_id;
  std::string agent_version;
};

// VALIDATION_ERROR 400 with details [{field, message}] for a body that is not
// a JSON object or has a field missing or of the wrong type.
tl::expected<AuthorizeInput, ApiError> ParseAuthorizeBody(
    std::string_view body);

// A license verdict: 200 allow or 403 {allow:false, reasonCode}.
struct Verdict {
  int status = 403;
  std::string reason_code;      // empty when allowed
  nlohmann::ordered_json body;  // in the order upstream.md shows
};

class LicenseBook {
 public:
  // Copies the fixtures; `now` stamps the fixture-bound IPs as just seen.
  LicenseBook(const Fixtures& fixtures, long long now);

  // The checks in the order of the spec; an allow activates the license and
  // binds the hardware ID and IP.
  Verdict Evaluate(const AuthorizeInput& input,
                   const std::string& client_ip,
                   long long now);

  // Adds a license, or merges `object` into an existing one (JSON merge
  // patch, so {"status":"REVOKED"} revokes). Runtime state is kept unless
  // the object sets activatedAt, hwids or ips. VALIDATION_ERROR on a bad
  // object.
  std::optional<ApiError> Put(const std::string& key,
                              const nlohmann::json& object,
                              long long now);

 private:
  struct SessionReport {
    int sessions = 0;
    long long at = 0;
  };
  struct State {
    std::optional<long long> activated_at;
    std::vector<std::string> hwids;
    std::map<std::string, long long> ips;           // ip -> last seen
    std::map<std::string, SessionReport> sessions;  // by hwid
  };

  const Product* FindProduct(const std::string& id) const;
  std::optional<Verdict> CheckBindings(const License& license,
                                       State& state,
                                       const AuthorizeInput& input,
                                       const std::string& client_ip,
                                       long long now) const;
  Verdict Allow(const License& license,
                State& state,
                const AuthorizeInput& input,
                const std::string& client_ip,
                long long now);
  static State InitialState(const License& license, long long now);

  Fixtures fixtures_;
  std::map<std::string, License> licenses_;
  std::map<std::string, State> states_;
};

}  // namespace gg::devserver

#endif  // GG_TESTS_DEVSERVER_LICENSE_BOOK_H_
