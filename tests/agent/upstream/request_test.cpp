// Request building (upstream.md §1): vectors, endpoint paths, body, headers.
#include "agent/upstream/request.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/agent/upstream/test_keys.h"
#include "tests/fakes/fake_http_transport.h"

namespace gg::upstream {
namespace {

using gg::testing::FakeHttpTransport;

// Every X-GG-Signature vector is reproduced through BuildSignedRequest.
TEST(RequestTest, ReproducesSigningVectors) {
  auto doc = testing::LoadVectors("signing.json");
  ASSERT_GE(doc["vectors"].size(), 4u);
  for (const auto& v : doc["vectors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    Endpoint endpoint{"http://h" + v["path"].get<std::string>(), v["path"]};
    auto req = BuildSignedRequest(endpoint, v["body"], Secret("k"),
                                  Secret(v["secret"].get<std::string>()),
                                  std::stoll(v["ts"].get<std::string>()),
                                  v["nonce"].get<std::string>());
    ASSERT_TRUE(req);
    EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "X-GG-Signature"),
              v["signature"]);
    EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "X-GG-Timestamp"), v["ts"]);
  }
}

// The signed PATH keeps the base URL's prefix and drops trailing slashes.
TEST(RequestTest, EndpointKeepsBasePathPrefix) {
  auto plain = AuthorizeEndpoint("https://api.example.com");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->path, "/v1/licenses/authorize");
  EXPECT_EQ(plain->url, "https://api.example.com/v1/licenses/authorize");
  auto gw = AuthorizeEndpoint("https://host:8443/gw/");
  ASSERT_TRUE(gw);
  EXPECT_EQ(gw->path, "/gw/v1/licenses/authorize");
  EXPECT_EQ(gw->url, "https://host:8443/gw/v1/licenses/authorize");
}

// Base URLs that cannot be signed or are not HTTP(S) are refused.
TEST(RequestTest, RejectsBadBaseUrls) {
  for (const char* bad : {"ftp://h", "h/path", "https://", "https://h/?a=1",
                          "https://h#x", "https://user@h/"}) {
    SCOPED_TRACE(bad);
    auto r = AuthorizeEndpoint(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidBaseUrl);
  }
}

// The body has the §1 fields in order, compact, with agentVersion 0.1.0.
TEST(RequestTest, BodyHasDocumentedFieldsInOrder) {
  AuthorizeRequest r{"prod", "KEY-1", "ab12", 3, "0123"};
  auto body = AuthorizeBody(r);
  ASSERT_TRUE(body);
  EXPECT_EQ(*body,
            R"({"productId":"prod","licenseKey":"KEY-1","hwid":"ab12",)"
            R"("sessions":3,"instanceId":"0123","agentVersion":"0.1.0"})");
}

// A key that is not UTF-8 is a request error, not an exception.
TEST(RequestTest, BodyRejectsInvalidUtf8) {
  AuthorizeRequest r{"prod", "\xff\xfe", "ab", 1, "i"};
  auto body = AuthorizeBody(r);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::kValidation);
}

// Every header of §1 is present with the right value; never a Bearer.
TEST(RequestTest, SignedRequestCarriesAllHeaders) {
  auto endpoint = *AuthorizeEndpoint("https://h/gw");
  auto req =
      BuildSignedRequest(endpoint, "{}", Secret("api-key"), Secret("secret"),
                         1763790000, "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->url, "https://h/gw/v1/licenses/authorize");
  EXPECT_EQ(req->body, "{}");
  EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "X-Api-Key"), "api-key");
  EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "Content-Type"),
            "application/json");
  EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "User-Agent"), "gg-agent/0.1.0");
  EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "X-GG-Nonce"),
            "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "X-GG-Signature"),
            *signing::RequestSignature(
                "secret", "POST", "/gw/v1/licenses/authorize", "1763790000",
                "0123456789abcdef0123456789abcdef", "{}"));
  EXPECT_EQ(FakeHttpTransport::HeaderOf(*req, "Authorization"), "");
}

// The identity of a request body round-trips; a broken body is an error.
TEST(RequestTest, IdentityFromRequestBody) {
  auto body = *AuthorizeBody({"p", "K", "h", 1, "i"});
  auto id = IdentityFromRequestBody(body);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->product_id, "p");
  EXPECT_EQ(id->license_key, "K");
  EXPECT_EQ(id->hwid, "h");
  EXPECT_FALSE(IdentityFromRequestBody("not json"));
  EXPECT_FALSE(IdentityFromRequestBody(R"({"productId":"p","hwid":"h"})"));
}

}  // namespace
}  // namespace gg::upstream
