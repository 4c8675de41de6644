// gg-devserver's checks before the verdict, over a real socket: API key,
// request signing, nonce window, rate limits and body validation, each with
// the seed's code and status; plus the headers every response carries.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "tests/devserver/server_fixture.h"

namespace gg::devserver::testing {
namespace {

using AuthorizeTest = DevServerTest;

Call Signed(const std::string& body = Body(kDemoLicenseKey)) {
  Call c;
  c.body = body;
  return c;
}

// A missing or unknown API key is UNAUTHORIZED 401 in the standard envelope.
TEST_F(AuthorizeTest, MissingOrUnknownKeyIsUnauthorized) {
  Call missing = Signed();
  missing.api_key = "";
  Answer a = Run(missing);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.Code(), "UNAUTHORIZED");
  EXPECT_EQ(a.Json()["ok"], false);
  Call unknown = Signed();
  unknown.api_key = "gg_not_a_key";
  EXPECT_EQ(Run(unknown).Code(), "UNAUTHORIZED");
}

// A key without license:authorize is PERMISSION_DENIED 403 naming the scope.
TEST_F(AuthorizeTest, KeyWithoutScopeIsPermissionDenied) {
  Call c = Signed();
  c.api_key = "gg_dev_key_readonly";
  Answer a = Run(c);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.Code(), "PERMISSION_DENIED");
  EXPECT_NE(a.body.find("license:authorize"), std::string::npos);
  EXPECT_FALSE(a.Json().contains("allow"));  // not a license verdict
}

// A key with no permissions at all is API_KEY_NO_PERMISSIONS 403.
TEST_F(AuthorizeTest, KeyWithNoPermissions) {
  Call c = Signed();
  c.api_key = "gg_dev_key_noperms";
  Answer a = Run(c);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.Code(), "API_KEY_NO_PERMISSIONS");
}

// Any one of the three signing headers missing is SIGNATURE_REQUIRED 401.
TEST_F(AuthorizeTest, EachMissingSigningHeaderIsSignatureRequired) {
  for (int missing = 0; missing < 3; ++missing) {
    Call c = Signed();
    c.send_timestamp = missing != 0;
    c.send_nonce = missing != 1;
    c.send_signature = missing != 2;
    Answer a = Run(c);
    EXPECT_EQ(a.status, 401) << missing;
    EXPECT_EQ(a.Code(), "SIGNATURE_REQUIRED") << missing;
  }
}

// A wrong HMAC (other secret, tampered body) is INVALID_SIGNATURE 401.
TEST_F(AuthorizeTest, BadHmacIsInvalidSignature) {
  Call c = Signed();
  c.secret = "not-the-secret";
  Answer a = Run(c);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.Code(), "INVALID_SIGNATURE");
  Call upper = Signed();
  upper.signature = std::string(64, 'A');
  EXPECT_EQ(Run(upper).Code(), "INVALID_SIGNATURE");
}

// A nonce shorter than 16 or longer than 64 characters is INVALID_SIGNATURE
// even when correctly signed; 16 and 64 are accepted.
TEST_F(AuthorizeTest, NonceLengthBounds) {
  Call short_nonce = Signed();
  short_nonce.nonce = std::string(15, 'a');
  EXPECT_EQ(Run(short_nonce).Code(), "INVALID_SIGNATURE");
  Call long_nonce = Signed();
  long_nonce.nonce = std::string(65, 'b');
  EXPECT_EQ(Run(long_nonce).Code(), "INVALID_SIGNATURE");
  Call min_nonce = Signed();
  min_nonce.nonce = std::string(16, 'c');
  EXPECT_EQ(Run(min_nonce).status, 200);
  Call max_nonce = Signed();
  max_nonce.nonce = std::string(64, 'd');
  EXPECT_EQ(Run(max_nonce).status, 200);
}

// A timestamp that is not whole decimal seconds is INVALID_SIGNATURE (an
// empty one is not sent by the client, hence SIGNATURE_REQUIRED, untested).
TEST_F(AuthorizeTest, BadTimestampFormat) {
  for (const char* ts :
       {"1763790000.5", "abc", "-1763790000", "2026-11-22T08:00:00Z"}) {
    Call c = Signed();
    c.timestamp = ts;
    EXPECT_EQ(Run(c).Code(), "INVALID_SIGNATURE") << ts;
  }
}

// More than 300 s either way is SIGNATURE_EXPIRED; within 300 s is fine, and
// the Date header carries the server's time for the client to correct by.
TEST_F(AuthorizeTest, TimestampWindow) {
  for (long long skew : {-400LL, 400LL}) {
    Call c = Signed();
    c.clock_skew = skew;
    Answer a = Run(c);
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.Code(), "SIGNATURE_EXPIRED") << skew;
    EXPECT_FALSE(a.Header("Date").empty());
  }
  Call near = Signed();
  near.clock_skew = -200;
  EXPECT_EQ(Run(near).status, 200);
}

// A nonce seen before (even with a fresh signature) is NONCE_REUSED 401.
TEST_F(AuthorizeTest, NonceReuse) {
  Call c = Signed();
  c.nonce = "00112233445566778899aabbccddeeff";
  EXPECT_EQ(Run(c).status, 200);
  c.body = Body(kDemoLicenseKey, "other-hwid");
  Answer a = Run(c);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.Code(), "NONCE_REUSED");
}

// A key over its per-minute budget gets RATE_LIMITED 429 with Retry-After
// and X-RateLimit-Remaining-Key; earlier calls count down the remaining.
TEST_F(AuthorizeTest, KeyRateLimit) {
  Call c = Signed();
  c.api_key = "gg_dev_key_slow";  // 2 per minute
  Answer first = Run(c);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("X-RateLimit-Remaining-Key"), "1");
  EXPECT_EQ(Run(c).status, 200);
  Answer limited = Run(c);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Code(), "RATE_LIMITED");
  int retry = std::stoi(limited.Header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(limited.Header("X-RateLimit-Remaining-Key"), "0");
  // Another key is not affected.
  EXPECT_EQ(Run(Signed()).status, 200);
}

// A product over its budget gets PRODUCT_RATE_LIMITED 429 with Retry-After.
TEST_F(AuthorizeTest, ProductRateLimit) {
  const std::string body = Body("DEMO-PRODUCT-RATE-LIMITED", "a1", 1,
                                "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d");
  EXPECT_EQ(Run(Signed(body)).status, 200);
  EXPECT_EQ(Run(Signed(body)).status, 200);
  Answer a = Run(Signed(body));
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.Code(), "PRODUCT_RATE_LIMITED");
  EXPECT_FALSE(a.Header("Retry-After").empty());
  EXPECT_EQ(a.Header("X-RateLimit-Remaining-Product"), "0");
}

// A body that is not JSON is VALIDATION_ERROR 400 with details.
TEST_F(AuthorizeTest, NotJsonIsValidationError) {
  Answer a = Run(Signed("not json"));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.Code(), "VALIDATION_ERROR");
  auto details = a.Json()["error"]["details"];
  ASSERT_TRUE(details.is_array());
  ASSERT_FALSE(details.empty());
  EXPECT_TRUE(details[0]["field"].is_string());
  EXPECT_TRUE(details[0]["message"].is_string());
}

// Each missing or mistyped field is listed in details as {field, message}.
TEST_F(AuthorizeTest, FieldsListedInDetails) {
  Answer a = Run(Signed(
      R"({"productId":42,"hwid":"a1","sessions":"one","agentVersion":"0.1"})"));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.Code(), "VALIDATION_ERROR");
  std::set<std::string> fields;
  const nlohmann::json j = a.Json();
  for (const auto& d : j["error"]["details"]) {
    fields.insert(d["field"].get<std::string>());
    EXPECT_FALSE(d["message"].get<std::string>().empty());
  }
  EXPECT_EQ(fields,
            (std::set<std::string>{"productId", "licenseKey", "sessions"}));
}

// Every response, errors and unknown routes included, has x-request-id (each
// different) and a Date header.
TEST_F(AuthorizeTest, RequestIdAndDateEverywhere) {
  Answer ok = Run(Signed());
  Call bad = Signed();
  bad.api_key = "";
  Answer err = Run(bad);
  auto unknown = Send(server(), "GET", "/v1/nothing-here", {});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->Code(), "NOT_FOUND");
  std::set<std::string> ids;
  for (const Answer* a : {&ok, &err, &*unknown}) {
    EXPECT_FALSE(a->Header("x-request-id").empty());
    EXPECT_FALSE(a->Header("Date").empty());
    ids.insert(a->Header("x-request-id"));
  }
  EXPECT_EQ(ids.size(), 3u);
}

// GET /v1/whoami answers the key's id and permissions, and 401 without one.
TEST_F(AuthorizeTest, Whoami) {
  auto a = Send(server(), "GET", "/v1/whoami", {{"X-Api-Key", kDemoApiKey}});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->Json()["apiKeyId"], "key_demo");
  EXPECT_EQ(a->Json()["permissions"][0], "license:authorize");
  auto none = Send(server(), "GET", "/v1/whoami", {});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->Code(), "UNAUTHORIZED");
}

}  // namespace
}  // namespace gg::devserver::testing
