#include "agent/upstream/response.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "agent/upstream/classify.h"
#include "platform/signing.h"

namespace gg::upstream {
namespace {

using nlohmann::json;

Failure MakeFailure(FailureClass failure_class,
                    int status,
                    std::string code,
                    std::string message,
                    std::string request_id) {
  Failure f;
  f.failure_class = failure_class;
  f.http_status = status;
  f.code = std::move(code);
  f.message = std::move(message);
  f.request_id = std::move(request_id);
  return f;
}

std::string StringField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>()
                                               : std::string();
}

template <class T>
std::optional<T> IntegerField(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) {
    return std::nullopt;
  }
  return it->get<T>();
}

// The verdict fields of a parsed body; "BAD_RESPONSE" when not a verdict.
Result<Verdict> ParseVerdictBody(const json& body, int status) {
  auto allow = body.find("allow");
  if (allow == body.end() || !allow->is_boolean()) {
    return MakeError(ErrorCode::kBadResponse,
                     "verdict without a boolean allow");
  }
  Verdict v;
  v.allow = allow->get<bool>();
  v.message = StringField(body, "message");
  v.license_id = StringField(body, "licenseId");
  v.product_id = StringField(body, "productId");
  if (v.allow) {
    if (status != 200) {
      return MakeError(ErrorCode::kBadResponse,
                       "allow:true with a non-200 status");
    }
  } else {
    v.reason_code = StringField(body, "reasonCode");
    if (v.reason_code.empty()) {
      return MakeError(ErrorCode::kBadResponse, "denial without a reasonCode");
    }
  }
  // A wrong expiry would be trusted for days offline: malformed is an error,
  // never "no expiry".
  auto expires = body.find("effectiveExpiresAt");
  if (expires != body.end() && !expires->is_null()) {
    std::optional<UnixTime> t;
    if (expires->is_string()) {
      t = ParseRfc3339(expires->get<std::string>());
    }
    if (!t) {
      return MakeError(ErrorCode::kBadResponse, "malformed effectiveExpiresAt");
    }
    v.effective_expires_at = t;
  }
  auto server_time = body.find("serverTime");
  if (server_time != body.end() && server_time->is_string()) {
    v.server_time = ParseRfc3339(server_time->get<std::string>());
  }
  auto policy = body.find("policy");
  if (policy != body.end() && policy->is_object()) {
    v.policy.max_concurrent_sessions =
        IntegerField<int>(*policy, "maxConcurrentSessions");
    v.policy.offline_grace_seconds =
        IntegerField<long long>(*policy, "offlineGraceSeconds");
    v.policy.heartbeat_seconds =
        IntegerField<long long>(*policy, "heartbeatSeconds");
  }
  return v;
}

std::vector<FieldDetail> ParseDetails(const json& error) {
  std::vector<FieldDetail> details;
  auto it = error.find("details");
  if (it == error.end() || !it->is_array()) {
    return details;
  }
  for (const json& item : *it) {
    if (item.is_object()) {
      details.push_back(
          {StringField(item, "field"), StringField(item, "message")});
    }
  }
  return details;
}

}  // namespace

Result<Verdict> VerdictFromSignedMaterial(
    const SignedMaterial& material,
    const std::vector<std::string>& public_keys) {
  if (material.response_signature.empty() ||
      material.response_timestamp.empty() ||
      !signing::VerifyResponse(public_keys, material.response_signature,
                               material.request_nonce, material.request_body,
                               material.status, material.response_timestamp,
                               material.response_body)) {
    return MakeError(ErrorCode::kBadSignature,
                     "verdict signature does not verify");
  }
  return ParseVerifiedMaterial(material);
}

Result<Verdict> ParseVerifiedMaterial(const SignedMaterial& material) {
  const json body = json::parse(material.response_body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return MakeError(ErrorCode::kBadResponse,
                     "verdict body is not a JSON object");
  }
  auto verdict = ParseVerdictBody(body, material.status);
  if (verdict) {
    verdict->signed_material = material;
  }
  return verdict;
}

bool IsWellFormedCode(std::string_view code) {
  constexpr std::size_t kMaxCodeLength = 64;
  return !code.empty() && code.size() <= kMaxCodeLength &&
         std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
         });
}

Outcome InterpretResponse(const HttpResponse& response,
                          const SentRequest& sent,
                          const std::vector<std::string>& public_keys) {
  const std::string request_id = response.Header("x-request-id");
  const int status = response.status;
  auto bad = [&](std::string message) {
    // A body we cannot read: classed by its status alone (a 502 page from a
    // proxy is still a gateway error), a 200 is a broken answer.
    FailureClass cls = status == 200 ? FailureClass::kTransient
                                     : Classify(status, "").failure_class;
    return MakeFailure(cls, status, "BAD_RESPONSE", std::move(message),
                       request_id);
  };
  if (response.body.size() > kMaxResponseBodyBytes) {
    return bad("response body too large");
  }
  const json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return bad("response body is not a JSON object");
  }

  // Branch on `allow`, not on the status (seed: a 403 may be either).
  if (body.contains("allow")) {
    SignedMaterial material;
    material.request_nonce = sent.nonce;
    material.request_body = sent.body;
    material.status = status;
    material.response_timestamp = response.Header("x-gg-response-timestamp");
    material.response_signature = response.Header("x-gg-response-signature");
    material.response_body = response.body;
    if (material.response_signature.empty() ||
        material.response_timestamp.empty()) {
      return MakeFailure(FailureClass::kTransient, status, "UNSIGNED",
                         "verdict without a response signature", request_id);
    }
    auto verdict = VerdictFromSignedMaterial(material, public_keys);
    if (!verdict) {
      return MakeFailure(FailureClass::kTransient, status,
                         std::string(Name(verdict.error().code)),
                         verdict.error().message, request_id);
    }
    verdict->request_id = request_id;
    return *std::move(verdict);
  }

  auto error = body.find("error");
  if (error == body.end() || !error->is_object() || !error->contains("code") ||
      !(*error)["code"].is_string()) {
    return bad("neither a verdict nor an error envelope");
  }
  const std::string code = (*error)["code"].get<std::string>();
  // The API's codes are UPPER_SNAKE words. Anything else (empty, a page of
  // text, control characters) would reach status, logs and the retry rules
  // as if it named something: it is an unreadable answer instead.
  if (!IsWellFormedCode(code)) {
    return bad("error envelope without a well-formed code");
  }
  const Classification c = Classify(status, code);
  if (c.kind == AnswerKind::kUnsignedDenial) {
    Verdict v;
    v.allow = false;
    v.reason_code = code;
    v.message = StringField(*error, "message");
    v.request_id = request_id;
    return v;
  }
  Failure f = MakeFailure(c.failure_class, status, code,
                          StringField(*error, "message"), request_id);
  f.credentials_rejected = c.credentials_rejected;
  f.details = ParseDetails(*error);
  f.retry_after = ParseRetryAfter(response.Header("retry-after"));
  return f;
}

Failure FailureFromTransport(const TransportError& error) {
  std::string code;
  switch (error.kind) {
    case TransportErrorKind::kDns:
    case TransportErrorKind::kConnect:
    case TransportErrorKind::kProtocol:
    case TransportErrorKind::kOther:
      code = "NETWORK";
      break;
    case TransportErrorKind::kTls:
      code = "TLS";
      break;
    case TransportErrorKind::kTimeout:
      code = "TIMEOUT";
      break;
    case TransportErrorKind::kTooLarge:
      code = "BAD_RESPONSE";
      break;
    case TransportErrorKind::kShutdown:
      code = "SHUTDOWN";
      break;
  }
  return MakeFailure(FailureClass::kTransient, 0, std::move(code),
                     error.message, "");
}

}  // namespace gg::upstream
