// What every store fault must look like to an app (issue 13 point 4): a
// key the agent cannot store is refused as AGENT_OFFLINE (an allow it could
// not keep would outlive a restart's checks), a cached key is still served,
// and `status` names the store as the last error. Shared by the locked
// database and the full disk.
#ifndef GG_TESTS_INTEGRATION_STORE_FAULT_CHECKS_H_
#define GG_TESTS_INTEGRATION_STORE_FAULT_CHECKS_H_

#include <string>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {

// The `status` answer (null after a failure), for checks of their own.
inline nlohmann::json ExpectStoreFaultAnswers(NdjsonClient& client,
                                              const std::string& fresh_key,
                                              const std::string& cached_key) {
  using nlohmann::json;
  json refused = E2eTest::AuthorizeOnce(client, kProduct, fresh_key);
  EXPECT_FALSE(refused.value("allow", true)) << refused.dump();
  EXPECT_EQ(refused.value("reasonCode", json()), "AGENT_OFFLINE")
      << refused.dump();
  json served = E2eTest::AuthorizeOnce(client, kProduct, cached_key);
  EXPECT_TRUE(served.value("allow", false)) << served.dump();
  EXPECT_EQ(served.value("source", ""), "cache") << served.dump();
  auto status = client.Call({{"op", "status"}});
  if (!status) {
    ADD_FAILURE() << status.error().message;
    return json();
  }
  if (!(*status)["lastError"].is_object()) {
    ADD_FAILURE() << "no lastError: " << status->dump();
    return json();
  }
  EXPECT_EQ((*status)["lastError"].value("code", ""), "STORE")
      << status->dump();
  return *status;
}

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_STORE_FAULT_CHECKS_H_
