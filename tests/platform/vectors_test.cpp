// Reproduces every vector of ../shared/vectors, computed by an independent
// implementation, with the shared signing helpers.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "platform/crypto.h"
#include "platform/signing.h"
#include "tests/test_paths.h"

namespace gg {
namespace {

nlohmann::json LoadVectors(const std::string& name) {
  std::ifstream in(std::string(test::SharedDir()) + "/vectors/" + name);
  EXPECT_TRUE(in.good()) << "missing vector file " << name;
  return nlohmann::json::parse(in);
}

// Every X-GG-Signature vector: body hash, canonical string and HMAC match.
TEST(SigningVectors, RequestSignaturesMatch) {
  auto doc = LoadVectors("signing.json");
  ASSERT_GE(doc["vectors"].size(), 4u);
  for (const auto& v : doc["vectors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    std::string body = v["body"];
    EXPECT_EQ(*crypto::Sha256Hex(body), v["bodySha256"]);
    EXPECT_EQ(signing::CanonicalRequest(
                  v["method"].get<std::string>(), v["path"].get<std::string>(),
                  v["ts"].get<std::string>(), v["nonce"].get<std::string>(),
                  v["bodySha256"].get<std::string>()),
              v["canonical"]);
    EXPECT_EQ(*signing::RequestSignature(v["secret"].get<std::string>(),
                                         v["method"].get<std::string>(),
                                         v["path"].get<std::string>(),
                                         v["ts"].get<std::string>(),
                                         v["nonce"].get<std::string>(), body),
              v["signature"]);
  }
}

// Every response vector: the signed string matches, valid ones verify and
// re-sign to the same bytes (Ed25519 is deterministic), invalid ones fail.
TEST(SigningVectors, ResponseSignaturesMatch) {
  auto doc = LoadVectors("response-signing.json");
  auto seed = *crypto::Base64Decode(doc["privateKeySeed"].get<std::string>());
  auto pub = *crypto::Base64Decode(doc["publicKey"].get<std::string>());
  EXPECT_EQ(*crypto::Ed25519PublicKey(seed), pub);
  ASSERT_GE(doc["vectors"].size(), 4u);
  for (const auto& v : doc["vectors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    std::string nonce = v["nonce"], req = v["requestBody"], ts = v["ts"],
                resp = v["responseBody"], sig = v["signature"];
    int status = v["status"];
    bool valid =
        signing::VerifyResponse({pub}, sig, nonce, req, status, ts, resp);
    EXPECT_EQ(valid, v["valid"].get<bool>());
    if (v["valid"].get<bool>()) {
      EXPECT_EQ(*signing::ResponseSignedString(nonce, req, status, ts, resp),
                v["signedString"]);
      EXPECT_EQ(*signing::SignResponse(seed, nonce, req, status, ts, resp),
                sig);
    }
  }
}

}  // namespace
}  // namespace gg
