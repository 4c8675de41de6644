// The gtest fixture the end-to-end tests share: a dev server (demo or
// custom fixtures) and agents pointed at it, each in its own temp dir.
#ifndef GG_TESTS_INTEGRATION_E2E_TEST_H_
#define GG_TESTS_INTEGRATION_E2E_TEST_H_

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/devserver/harness.h"
#include "tests/integration/agent_process.h"
#include "tests/integration/e2e_fixtures.h"
#include "tests/integration/ndjson_client.h"

namespace gg::e2e {

// A short deadline keeps each offline answer quick whatever the retry
// policy: the dev server being gone is known at once (connection refused).
inline const nlohmann::json kFastOffline = {
    {"policy", {{"requestDeadlineMs", 1500}}}};

// Runs SQL on an agent's (stopped) database, as root with sqlite3 would.
void ExecSql(const std::filesystem::path& db_path, const std::string& sql);

class E2eTest : public ::testing::Test {
 public:
  // Authorizes and releases the session an allow opened, so repeated asks
  // never run into the license's session limit.
  static nlohmann::json AuthorizeOnce(NdjsonClient& client,
                                      const std::string& product,
                                      const std::string& key) {
    auto answer = client.Authorize(product, key);
    if (!answer)
      return {{"transportError", answer.error().message}};
    if (answer->value("allow", false) && answer->contains("sessionId")) {
      auto released = client.Call(
          {{"op", "release"}, {"sessionId", (*answer)["sessionId"]}});
      if (!released || !released->value("ok", false))
        ADD_FAILURE() << "release failed";
    }
    return *answer;
  }

  // Asks (and releases) until `done` holds for the answer; the last answer.
  static nlohmann::json AuthorizeUntil(
      NdjsonClient& client,
      const std::string& key,
      const std::function<bool(const nlohmann::json&)>& done,
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    nlohmann::json last;
    PollUntil(
        [&] {
          last = AuthorizeOnce(client, kProduct, key);
          return done(last);
        },
        timeout);
    return last;
  }

 protected:
  void TearDown() override {
    agent_.reset();
    if (server_)
      server_->Kill();
    std::error_code ec;
    if (!fixtures_dir_.empty())
      std::filesystem::remove_all(fixtures_dir_, ec);
  }

  // Starts the dev server on demo fixtures, or on `changes` applied to
  // them; false (with a test failure) when it cannot.
  bool StartServer(const FixtureChanges* changes = nullptr) {
    devserver::DevServerOptions options;
    if (changes != nullptr) {
      char tmpl[] = "/tmp/gge2e-fx.XXXXXX";
      if (::mkdtemp(tmpl) == nullptr) {
        ADD_FAILURE() << "mkdtemp failed";
        return false;
      }
      fixtures_dir_ = tmpl;
      options.fixtures_path = (fixtures_dir_ / "fixtures.json").string();
      if (auto s = WriteFixtures(options.fixtures_path, *changes); !s) {
        ADD_FAILURE() << s.error().message;
        return false;
      }
    }
    auto server = devserver::DevServer::Start(options);
    if (!server) {
      ADD_FAILURE() << server.error().message;
      return false;
    }
    server_ = std::move(*server);
    return true;
  }

  // Creates (and, when `start`, starts) agent_ against server_.
  bool MakeAgent(nlohmann::json patch = nlohmann::json::object(),
                 bool start = true) {
    return MakeAgentFor(server_ ? server_->BaseUrl() : AgentOptions{}.base_url,
                        std::move(patch), start);
  }

  // MakeAgent against `base_url`: a server of the test's own.
  bool MakeAgentFor(const std::string& base_url,
                    nlohmann::json patch = nlohmann::json::object(),
                    bool start = true) {
    AgentOptions options;
    options.base_url = base_url;
    options.config_patch = std::move(patch);
    auto agent = AgentProcess::Create(options);
    if (!agent) {
      ADD_FAILURE() << agent.error().message;
      return false;
    }
    agent_ = std::move(*agent);
    if (!start)
      return true;
    if (auto s = agent_->Start(); !s) {
      ADD_FAILURE() << s.error().message;
      return false;
    }
    return true;
  }

  std::unique_ptr<NdjsonClient> Connect() {
    auto client = NdjsonClient::Connect(agent_->SocketPath());
    if (!client) {
      ADD_FAILURE() << client.error().message;
      return nullptr;
    }
    return std::move(*client);
  }

  // One ask for `key` on a new connection, answered by the server (the
  // session released); false, with a test failure, for any other answer.
  bool AllowOnline(const std::string& key = "DEMO-ALLOW-0001") {
    auto client = Connect();
    if (!client)
      return false;
    nlohmann::json online = AuthorizeOnce(*client, kProduct, key);
    if (online.value("source", "") != "online") {
      ADD_FAILURE() << "not an online answer: " << online.dump();
      return false;
    }
    return true;
  }

  // AllowOnline, then a clean stop (exit 0): the verdict and the time marks
  // are on disk for what the test does to them next.
  bool AllowOnlineThenStop(const std::string& key = "DEMO-ALLOW-0001") {
    if (!AllowOnline(key))
      return false;
    auto code = agent_->Stop();
    if (!code || *code != 0) {
      ADD_FAILURE() << "the agent did not stop cleanly: " << agent_->Log();
      return false;
    }
    return true;
  }

  int UpstreamRequestsFor(const std::string& key) {
    auto requests = server_->Requests();
    if (!requests) {
      ADD_FAILURE() << requests.error().message;
      return -1;
    }
    return CountAuthorizeRequests(*requests, key);
  }

  std::unique_ptr<devserver::DevServer> server_;
  std::unique_ptr<AgentProcess> agent_;
  std::filesystem::path fixtures_dir_;
};

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_E2E_TEST_H_
