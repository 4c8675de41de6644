// The response-signing key pair of ../shared/vectors, shared by the
// upstream tests.
#ifndef GG_TESTS_AGENT_UPSTREAM_TEST_KEYS_H_
#define GG_TESTS_AGENT_UPSTREAM_TEST_KEYS_H_

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/crypto.h"
#include "tests/test_paths.h"

namespace gg::upstream::testing {

inline nlohmann::json LoadVectors(const std::string& name) {
  std::ifstream in(std::string(gg::test::SharedDir()) + "/vectors/" + name);
  return nlohmann::json::parse(in);
}

inline std::string VectorSeed() {
  return *crypto::Base64Decode(
      LoadVectors("response-signing.json")["privateKeySeed"]
          .get<std::string>());
}

inline std::string VectorPublicKey() {
  return *crypto::Base64Decode(
      LoadVectors("response-signing.json")["publicKey"].get<std::string>());
}

}  // namespace gg::upstream::testing

#endif  // GG_TESTS_AGENT_UPSTREAM_TEST_KEYS_H_
