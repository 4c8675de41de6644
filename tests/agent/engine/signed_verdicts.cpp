#include "tests/agent/engine/signed_verdicts.h"

#include <ctime>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/upstream/request.h"
#include "agent/upstream/response.h"
#include "platform/crypto.h"
#include "platform/signing.h"
#include "platform/time_format.h"

namespace gg::testing {
namespace {

const std::string kSeed(32, '\x42');

std::string Rfc3339(long long unix_seconds) {
  return FormatRfc3339(UnixTime{unix_seconds});
}

}  // namespace

std::vector<std::string> TestPublicKeys() {
  return {crypto::Ed25519PublicKey(kSeed).value()};
}

upstream::Verdict SignedVerdict(const VerdictSpec& spec) {
  static int counter = 0;
  upstream::SignedMaterial m;
  m.request_nonce =
      "0123456789abcdef0123456789abcd" + std::to_string(10 + (++counter % 90));
  m.request_body =
      *upstream::AuthorizeBody({spec.product_id, spec.license_key, spec.hwid, 1,
                                "00112233445566778899aabbccddeeff"});
  nlohmann::json body{{"ok", spec.allow}, {"allow", spec.allow}};
  if (spec.allow) {
    body["licenseId"] = "lic-1";
    body["productId"] = spec.product_id;
    body["message"] = "License is valid";
    body["effectiveExpiresAt"] =
        spec.expires_at ? nlohmann::json(Rfc3339(*spec.expires_at)) : nullptr;
    nlohmann::json policy = nlohmann::json::object();
    if (spec.max_sessions) {
      policy["maxConcurrentSessions"] = *spec.max_sessions;
    }
    if (spec.grace_seconds) {
      policy["offlineGraceSeconds"] = *spec.grace_seconds;
    }
    if (spec.heartbeat_seconds) {
      policy["heartbeatSeconds"] = *spec.heartbeat_seconds;
    }
    body["policy"] = policy;
  } else {
    body["reasonCode"] = spec.reason_code;
    body["message"] = "denied: " + spec.reason_code;
  }
  body["serverTime"] = Rfc3339(spec.server_time);
  m.response_body = body.dump();
  m.status = spec.allow ? 200 : 403;
  m.response_timestamp = std::to_string(spec.server_time);
  m.response_signature =
      signing::SignResponse(kSeed, m.request_nonce, m.request_body, m.status,
                            m.response_timestamp, m.response_body)
          .value();
  auto verdict = upstream::VerdictFromSignedMaterial(m, TestPublicKeys());
  if (!verdict) {
    throw std::runtime_error("test verdict does not verify: " +
                             verdict.error().message);
  }
  verdict->request_id = "req-test";
  return *verdict;
}

}  // namespace gg::testing
