// Reading answers (upstream.md §2–§3): signed verdicts, both envelopes,
// broken bodies, and the time and header formats.
#include "agent/upstream/response.h"

#include <gtest/gtest.h>

#include "platform/signing.h"
#include "tests/agent/upstream/test_keys.h"

namespace gg::upstream {
namespace {

constexpr char kNonce[] = "0123456789abcdef0123456789abcdef";
constexpr char kReqBody[] = R"({"productId":"p"})";

class ResponseTest : public ::testing::Test {
 protected:
  HttpResponse Signed(int status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers["x-request-id"] = "rid-1";
    r.headers["x-gg-response-timestamp"] = "1763790000";
    r.headers["x-gg-response-signature"] = *signing::SignResponse(
        seed_, kNonce, kReqBody, status, "1763790000", body);
    return r;
  }
  Outcome Read(const HttpResponse& r) {
    return InterpretResponse(r, {kNonce, kReqBody}, {pub_});
  }
  std::string seed_ = testing::VectorSeed();
  std::string pub_ = testing::VectorPublicKey();
};

const char kAllow[] =
    R"({"ok":true,"allow":true,"licenseId":"L","productId":"P",)"
    R"("effectiveExpiresAt":"2027-01-01T00:00:00Z",)"
    R"("serverTime":"2026-11-22T08:00:00Z","futureField":{"x":1},)"
    R"("policy":{"maxConcurrentSessions":3,"offlineGraceSeconds":259200,)"
    R"("heartbeatSeconds":300}})";

// The response vectors verify (or not) through VerdictFromSignedMaterial.
TEST_F(ResponseTest, ResponseVectorsThroughSignedMaterial) {
  auto doc = testing::LoadVectors("response-signing.json");
  for (const auto& v : doc["vectors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    SignedMaterial m{v["nonce"], v["requestBody"], v["status"],
                     v["ts"],    v["signature"],   v["responseBody"]};
    auto verdict = VerdictFromSignedMaterial(m, {pub_});
    EXPECT_EQ(verdict.has_value(), v["valid"].get<bool>());
    if (!verdict) {
      EXPECT_EQ(verdict.error().code, ErrorCode::kBadSignature);
    }
  }
}

// A signed allow is a verdict with every field, unknown fields ignored.
TEST_F(ResponseTest, SignedAllowIsParsed) {
  auto out = Read(Signed(200, kAllow));
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  const auto& v = std::get<Verdict>(out);
  EXPECT_TRUE(v.allow);
  EXPECT_EQ(v.license_id, "L");
  EXPECT_EQ(v.product_id, "P");
  EXPECT_EQ(v.request_id, "rid-1");
  EXPECT_EQ(UnixSeconds(*v.effective_expires_at), 1798761600);
  EXPECT_EQ(UnixSeconds(*v.server_time), 1795334400);
  EXPECT_EQ(v.policy.max_concurrent_sessions, 3);
  EXPECT_EQ(v.policy.offline_grace_seconds, 259200);
  EXPECT_EQ(v.policy.heartbeat_seconds, 300);
  ASSERT_TRUE(v.signed_material);
  EXPECT_EQ(v.signed_material->request_nonce, kNonce);
  // The kept material re-verifies on its own.
  EXPECT_TRUE(VerdictFromSignedMaterial(*v.signed_material, {pub_}));
}

// A signed 403 license envelope is a denial with its reason, not a failure.
TEST_F(ResponseTest, SignedDenialBranchesOnAllowFalse) {
  auto out = Read(Signed(
      403,
      R"({"ok":false,"allow":false,"reasonCode":"HWID_MISMATCH","message":"m"})"));
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  const auto& v = std::get<Verdict>(out);
  EXPECT_FALSE(v.allow);
  EXPECT_EQ(v.reason_code, "HWID_MISMATCH");
  EXPECT_EQ(v.message, "m");
  EXPECT_FALSE(v.effective_expires_at);
  EXPECT_TRUE(v.signed_material);
}

// A 403 standard envelope is a credential failure, not a verdict.
TEST_F(ResponseTest, Forbidden403IsNotAVerdict) {
  HttpResponse r;
  r.status = 403;
  r.body = R"({"ok":false,"error":{"code":"FORBIDDEN","message":"no"}})";
  auto out = Read(r);
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).failure_class,
            FailureClass::kMisconfiguration);
  EXPECT_TRUE(std::get<Failure>(out).credentials_rejected);
}

// Unsigned, badly signed, or signed-for-another-request verdicts are
// transient failures, never verdicts.
TEST_F(ResponseTest, UnsignedAndBadSignaturesAreTransient) {
  HttpResponse unsigned_r = Signed(200, kAllow);
  unsigned_r.headers.erase("x-gg-response-signature");
  auto out = Read(unsigned_r);
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "UNSIGNED");
  EXPECT_EQ(std::get<Failure>(out).failure_class, FailureClass::kTransient);

  HttpResponse tampered = Signed(200, kAllow);
  tampered.body.replace(tampered.body.find("\"L\""), 3, "\"X\"");
  out = Read(tampered);
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "BAD_SIGNATURE");

  // Same answer, other request nonce: a replay.
  out =
      InterpretResponse(Signed(200, kAllow),
                        {"ffffffffffffffffffffffffffffffff", kReqBody}, {pub_});
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "BAD_SIGNATURE");

  // Right signature, key not configured.
  out = InterpretResponse(Signed(200, kAllow), {kNonce, kReqBody},
                          {std::string(32, 'x')});
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "BAD_SIGNATURE");
}

// Any one of several configured keys may verify (rotation).
TEST_F(ResponseTest, AnyConfiguredKeyVerifies) {
  auto out = InterpretResponse(Signed(200, kAllow), {kNonce, kReqBody},
                               {std::string(32, 'x'), pub_});
  EXPECT_TRUE(std::holds_alternative<Verdict>(out));
}

// Non-JSON, oversized and shapeless bodies are transient BAD_RESPONSE.
TEST_F(ResponseTest, BrokenBodiesAreTransient) {
  for (std::string body : {std::string("<html>"), std::string("[1]"),
                           std::string(R"({"ok":true})"),
                           std::string(kMaxResponseBodyBytes + 1, ' ')}) {
    HttpResponse r;
    r.status = 200;
    r.body = body;
    auto out = Read(r);
    ASSERT_TRUE(std::holds_alternative<Failure>(out));
    EXPECT_EQ(std::get<Failure>(out).code, "BAD_RESPONSE");
    EXPECT_EQ(std::get<Failure>(out).failure_class, FailureClass::kTransient);
  }
  HttpResponse gateway;
  gateway.status = 502;
  gateway.body = "<html>bad gateway</html>";
  auto out = Read(gateway);
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).failure_class, FailureClass::kTransient);
  EXPECT_EQ(std::get<Failure>(out).http_status, 502);
}

// A malformed expiry in a signed verdict is refused, never "no expiry".
TEST_F(ResponseTest, MalformedExpiryIsRefused) {
  auto out = Read(Signed(
      200, R"({"ok":true,"allow":true,"effectiveExpiresAt":"next year"})"));
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).code, "BAD_RESPONSE");
}

// Validation details, Retry-After and the request id reach the Failure.
TEST_F(ResponseTest, ErrorEnvelopeDetails) {
  HttpResponse r;
  r.status = 400;
  r.headers["x-request-id"] = "rid-9";
  r.body = R"({"ok":false,"error":{"code":"VALIDATION_ERROR","message":"bad",)"
           R"("details":[{"field":"hwid","message":"required"}]}})";
  auto out = Read(r);
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  const auto& f = std::get<Failure>(out);
  EXPECT_EQ(f.failure_class, FailureClass::kRequestError);
  EXPECT_EQ(f.request_id, "rid-9");
  ASSERT_EQ(f.details.size(), 1u);
  EXPECT_EQ(f.details[0].field, "hwid");
  EXPECT_EQ(f.details[0].message, "required");

  HttpResponse limited;
  limited.status = 429;
  limited.headers["retry-after"] = "7";
  limited.body = R"({"ok":false,"error":{"code":"RATE_LIMITED"}})";
  out = Read(limited);
  ASSERT_TRUE(std::holds_alternative<Failure>(out));
  EXPECT_EQ(std::get<Failure>(out).retry_after, std::chrono::seconds(7));
}

// An error envelope whose code is empty or not an API code (found by
// upstream_answer_fuzzer: a 404 with "code":"" became a Failure with no
// code) is an unreadable answer, classed by its status alone.
TEST_F(ResponseTest, MalformedErrorCodeIsBadResponse) {
  for (const char* code :
       {"", "not_upper", "BAD-LINE", "A B",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    HttpResponse r;
    r.status = 404;
    r.body = std::string(R"({"ok":false,"error":{"code":")") + code + R"("}})";
    auto out = Read(r);
    ASSERT_TRUE(std::holds_alternative<Failure>(out)) << code;
    const auto& f = std::get<Failure>(out);
    EXPECT_EQ(f.code, "BAD_RESPONSE") << code;
    EXPECT_EQ(f.http_status, 404) << code;
  }
  EXPECT_TRUE(IsWellFormedCode("LICENSE_NOT_FOUND"));
  EXPECT_TRUE(IsWellFormedCode("HTTP2"));
  EXPECT_FALSE(IsWellFormedCode(""));
  EXPECT_FALSE(IsWellFormedCode(std::string(65, 'A')));
}

// 404 LICENSE_NOT_FOUND in the standard envelope is an unsigned denial.
TEST_F(ResponseTest, NotFoundIsUnsignedDenial) {
  HttpResponse r;
  r.status = 404;
  r.body = R"({"ok":false,"error":{"code":"LICENSE_NOT_FOUND","message":"x"}})";
  auto out = Read(r);
  ASSERT_TRUE(std::holds_alternative<Verdict>(out));
  EXPECT_FALSE(std::get<Verdict>(out).allow);
  EXPECT_EQ(std::get<Verdict>(out).reason_code, "LICENSE_NOT_FOUND");
  EXPECT_FALSE(std::get<Verdict>(out).signed_material);
}

// Each transport error kind maps to its local transient code.
TEST(TransportFailureTest, Codes) {
  EXPECT_EQ(FailureFromTransport({TransportErrorKind::kTimeout, ""}).code,
            "TIMEOUT");
  EXPECT_EQ(FailureFromTransport({TransportErrorKind::kTls, ""}).code, "TLS");
  EXPECT_EQ(FailureFromTransport({TransportErrorKind::kConnect, ""}).code,
            "NETWORK");
  EXPECT_EQ(FailureFromTransport({TransportErrorKind::kTooLarge, ""}).code,
            "BAD_RESPONSE");
  EXPECT_EQ(FailureFromTransport({TransportErrorKind::kDns, ""}).failure_class,
            FailureClass::kTransient);
}

}  // namespace
}  // namespace gg::upstream
