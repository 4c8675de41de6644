// LazyHttpTransport makes the real transport at the first Send (never at
// construction), once; a factory failure is a transport error for that
// Send and is retried at the next; after Shutdown nothing is made.
#include "agent/upstream/lazy_transport.h"

#include <gtest/gtest.h>

#include <optional>

namespace gg::upstream {
namespace {

class AnsweringTransport final : public HttpTransport {
 public:
  explicit AnsweringTransport(int* shutdowns) : shutdowns_(shutdowns) {}
  void Send(HttpRequest, Callback done) override {
    HttpResponse r;
    r.status = 200;
    done(r);
  }
  void Shutdown() override { ++*shutdowns_; }

 private:
  int* shutdowns_;
};

std::optional<TransportResult> SendOne(HttpTransport& t) {
  std::optional<TransportResult> got;
  t.Send(HttpRequest{}, [&](TransportResult r) { got = std::move(r); });
  return got;
}

TEST(LazyHttpTransportTest, MadeAtFirstSendOnce) {
  int made = 0;
  int shutdowns = 0;
  LazyHttpTransport lazy([&]() -> Result<std::unique_ptr<HttpTransport>> {
    ++made;
    return std::make_unique<AnsweringTransport>(&shutdowns);
  });
  EXPECT_EQ(made, 0);
  auto first = SendOne(lazy);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->status, 200);
  ASSERT_TRUE(SendOne(lazy).value());
  EXPECT_EQ(made, 1);
  lazy.Shutdown();
  EXPECT_EQ(shutdowns, 1);
  auto after = SendOne(lazy);
  ASSERT_TRUE(after && !*after);
  EXPECT_EQ(after->error().kind, TransportErrorKind::kShutdown);
}

TEST(LazyHttpTransportTest, FailedFactoryIsATransportErrorAndRetried) {
  int made = 0;
  int shutdowns = 0;
  LazyHttpTransport lazy([&]() -> Result<std::unique_ptr<HttpTransport>> {
    if (++made == 1)
      return MakeError(ErrorCode::kCurlInit, "injected");
    return std::make_unique<AnsweringTransport>(&shutdowns);
  });
  auto failed = SendOne(lazy);
  ASSERT_TRUE(failed && !*failed);
  EXPECT_EQ(failed->error().kind, TransportErrorKind::kOther);
  auto second = SendOne(lazy);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ(made, 2);
}

TEST(LazyHttpTransportTest, ShutdownBeforeAnySendMakesNothing) {
  int made = 0;
  LazyHttpTransport lazy([&]() -> Result<std::unique_ptr<HttpTransport>> {
    ++made;
    return MakeError(ErrorCode::kHarness, "never");
  });
  lazy.Shutdown();
  auto r = SendOne(lazy);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, TransportErrorKind::kShutdown);
  EXPECT_EQ(made, 0);
}

}  // namespace
}  // namespace gg::upstream
