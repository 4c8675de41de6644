// One gg-devserver (demo fixtures, HTTP) shared by the tests of a suite and
// reset to its fixtures before each test, so tests stay independent and the
// suite starts one process.
#ifndef GG_TESTS_DEVSERVER_SERVER_FIXTURE_H_
#define GG_TESTS_DEVSERVER_SERVER_FIXTURE_H_

#include <memory>

#include <gtest/gtest.h>

#include "tests/devserver/harness.h"
#include "tests/devserver/test_client.h"

namespace gg::devserver::testing {

class DevServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = DevServer::Start({});
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->Reset());
  }

  static DevServer& server() { return *server_; }

  // Authorize that must reach the server.
  static Answer Run(const testing::Call& call) {
    auto a = Authorize(*server_, call);
    EXPECT_TRUE(a) << (a ? "" : a.error().message);
    return a ? *a : Answer{};
  }
  static Answer RunBody(const std::string& body) {
    testing::Call c;
    c.body = body;
    return Run(c);
  }

  static inline std::unique_ptr<DevServer> server_;
};

}  // namespace gg::devserver::testing

#endif  // GG_TESTS_DEVSERVER_SERVER_FIXTURE_H_
