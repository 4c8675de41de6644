// End to end, online: the real gg-agent against gg-devserver.
#include <string>
#include <vector>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

// An allow is asked online once, then answered from the signed cache with
// no second upstream request.
TEST_F(E2eTest, AllowOnlineThenFromCacheWithoutSecondUpstreamRequest) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);

  json first = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(first.value("allow", false), true) << first.dump();
  EXPECT_EQ(first.value("source", ""), "online") << first.dump();
  EXPECT_TRUE(first.value("sessionId", "").starts_with("s_")) << first.dump();
  EXPECT_EQ(UpstreamRequestsFor("DEMO-ALLOW-0001"), 1);

  json second = AuthorizeOnce(*client, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(second.value("allow", false), true) << second.dump();
  EXPECT_EQ(second.value("source", ""), "cache") << second.dump();
  EXPECT_EQ(UpstreamRequestsFor("DEMO-ALLOW-0001"), 1);
}

// Every one of the server's thirteen license reason codes reaches the app
// unchanged, with source "online".
TEST_F(E2eTest, ThirteenReasonCodesPassThroughOnline) {
  // A second machine (its own machine-id) whose hwid for the demo product
  // is on the product's blacklist: HWID_BLACKLISTED is then the real
  // blacklist check on the real hwid the agent computes and sends.
  AgentOptions blacklisted_options;
  blacklisted_options.machine_id = "b1ac1157ed0000000000000000000001";
  auto blacklisted = AgentProcess::Create(blacklisted_options);
  ASSERT_TRUE(blacklisted) << blacklisted.error().message;
  auto hwid = (*blacklisted)->HwidFor(kProduct);
  ASSERT_TRUE(hwid) << hwid.error().message;
  ASSERT_EQ(hwid->size(), 64u) << *hwid;
  FixtureChanges changes;
  changes.blacklisted_hwids = {*hwid};
  ASSERT_TRUE(StartServer(&changes));
  blacklisted_options.base_url = server_->BaseUrl();
  ASSERT_TRUE((*blacklisted)->WriteConfig(blacklisted_options));
  ASSERT_TRUE((*blacklisted)->Start());
  ASSERT_TRUE(MakeAgent());

  struct Case {
    AgentProcess* agent;
    const char* product;
    const char* key;
    const char* reason;
  };
  AgentProcess* normal = agent_.get();
  const std::vector<Case> cases = {
      {normal, kProduct, "DEMO-NOT-FOUND", "LICENSE_NOT_FOUND"},
      {normal, kProduct, "DEMO-PRODUCT-MISMATCH", "PRODUCT_MISMATCH"},
      {normal, kProduct, "DEMO-REVOKED", "LICENSE_REVOKED"},
      {normal, kProduct, "DEMO-EXPIRED", "LICENSE_EXPIRED"},
      {normal, kProduct, "DEMO-EXPIRED-RELATIVE", "LICENSE_EXPIRED_RELATIVE"},
      {normal, kProduct, "DEMO-HWID-MISMATCH", "HWID_MISMATCH"},
      {normal, kProduct, "DEMO-HWID-LIMIT", "HWID_LIMIT_EXCEEDED"},
      {normal, kProduct, "DEMO-IP-MISMATCH", "IP_MISMATCH"},
      {normal, kProduct, "DEMO-IP-LIMIT", "IP_LIMIT_EXCEEDED"},
      {normal, kProduct, "DEMO-IP-REGION-MISMATCH", "IP_REGION_MISMATCH"},
      {normal, kProduct, "DEMO-CONCURRENCY-LIMIT",
       "CONCURRENCY_LIMIT_EXCEEDED"},
      {blacklisted->get(), kProduct, "DEMO-HWID-BLACKLISTED",
       "HWID_BLACKLISTED"},
      {normal, kOtherProduct, "DEMO-IP-BLACKLISTED", "IP_BLACKLISTED"},
  };
  ASSERT_EQ(cases.size(), 13u);
  for (const Case& c : cases) {
    auto client = NdjsonClient::Connect(c.agent->SocketPath());
    ASSERT_TRUE(client) << client.error().message;
    json answer = AuthorizeOnce(**client, c.product, c.key);
    EXPECT_EQ(answer.value("reasonCode", json()), c.reason)
        << c.key << ": " << answer.dump();
    EXPECT_EQ(answer.value("allow", true), false) << c.key;
    EXPECT_EQ(answer.value("ok", true), false) << c.key;
    EXPECT_EQ(answer.value("source", ""), "online") << c.key;
    EXPECT_FALSE(answer.contains("sessionId")) << c.key;
  }
  // The normal machine is not on the blacklist: the same product allows it.
  auto client = Connect();
  ASSERT_TRUE(client);
  EXPECT_EQ(AuthorizeOnce(*client, kProduct, "DEMO-HWID-BLACKLISTED")
                .value("allow", false),
            true);
}

// Revoking a license while an app holds a session pushes a verdict event
// to that app's connection at the next background refresh.
TEST_F(E2eTest, RevocationWhileSessionOpenPushesVerdictEvent) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(
      server_->PutLicense("DEMO-ALLOW-0001", {{"heartbeatSeconds", 1}}));
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);
  auto allow = client->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(allow) << allow.error().message;
  ASSERT_EQ(allow->value("allow", false), true) << allow->dump();
  const std::string session = allow->value("sessionId", "");

  ASSERT_TRUE(server_->PutLicense("DEMO-ALLOW-0001", {{"status", "REVOKED"}}));
  auto event = client->NextEvent(std::chrono::seconds(20));
  ASSERT_TRUE(event) << event.error().message << "\n" << agent_->Log();
  EXPECT_EQ(event->value("event", ""), "verdict") << event->dump();
  EXPECT_EQ(event->value("sessionId", ""), session) << event->dump();
  EXPECT_EQ(event->value("allow", true), false) << event->dump();
  EXPECT_EQ(event->value("reasonCode", json()), "LICENSE_REVOKED")
      << event->dump();
  EXPECT_EQ(event->value("source", ""), "online") << event->dump();
}

// 1,000 concurrent authorize for a cold key, pipelined over many
// connections, make exactly one upstream request and all get the allow.
TEST_F(E2eTest, ThousandConcurrentColdAuthorizeMakeOneUpstreamRequest) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"E2E-MANY-SEATS"};
  changes.max_sessions = 5000;
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(MakeAgent(
      {{"ipc", {{"maxConnections", 200}, {"maxInFlightPerConnection", 64}}},
       {"policy", {{"requestDeadlineMs", 15000}}}}));
  constexpr int kConnections = 50;
  constexpr int kPerConnection = 20;
  std::vector<std::unique_ptr<NdjsonClient>> clients;
  for (int c = 0; c < kConnections; ++c) {
    clients.push_back(Connect());
    ASSERT_TRUE(clients.back());
  }
  // Everything is written before anything is read.
  for (int i = 0; i < kPerConnection; ++i) {
    for (auto& client : clients) {
      ASSERT_TRUE(client->Send({{"id", i},
                                {"op", "authorize"},
                                {"productId", kProduct},
                                {"licenseKey", "E2E-MANY-SEATS"}}));
    }
  }
  int allowed = 0;
  for (auto& client : clients) {
    for (int i = 0; i < kPerConnection; ++i) {
      auto answer = client->ReadAnswer();
      ASSERT_TRUE(answer) << answer.error().message;
      EXPECT_EQ(answer->value("id", -1), i);
      if (answer->value("allow", false))
        ++allowed;
      else
        ADD_FAILURE() << answer->dump();
    }
  }
  EXPECT_EQ(allowed, kConnections * kPerConnection);
  EXPECT_EQ(UpstreamRequestsFor("E2E-MANY-SEATS"), 1);
}

// What an app sends is checked once, by the engine; over the socket the
// answer is the spec's (ipc.md "Errors"), and nothing goes upstream.
TEST_F(E2eTest, InvalidProductIdIsAValidationErrorOverTheSocket) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);
  auto answer = client->Authorize("not-a-uuid", "DEMO-ALLOW-0001");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->value("ok", true), false) << answer->dump();
  EXPECT_EQ(answer->value("allow", true), false) << answer->dump();
  ASSERT_TRUE((*answer)["error"].is_object()) << answer->dump();
  EXPECT_EQ((*answer)["error"].value("code", ""), "VALIDATION_ERROR");
  EXPECT_EQ((*answer)["error"].value("message", ""),
            "productId must be a UUID");
  ASSERT_TRUE((*answer)["error"]["details"].is_array()) << answer->dump();
  EXPECT_EQ((*answer)["error"]["details"][0].value("field", ""), "productId");
  auto requests = server_->Requests();
  ASSERT_TRUE(requests) << requests.error().message;
  EXPECT_EQ(requests->size(), 0u) << requests->dump();
}

}  // namespace
}  // namespace gg::e2e
