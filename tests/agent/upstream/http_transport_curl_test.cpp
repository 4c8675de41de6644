// The libcurl transport on its own, against a local cpp-httplib server:
// pass-through of status/headers/body, the body cap, keep-alive reuse,
// connect failure and shutdown.
#include "agent/upstream/http_transport_curl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

namespace gg::upstream {
namespace {

using std::chrono::seconds;

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post("/echo",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   {
                     std::lock_guard lock(mutex_);
                     ports_.insert(req.remote_port);
                     last_body_ = req.body;
                     last_key_ = req.get_header_value("X-Api-Key");
                   }
                   res.status = 418;
                   res.set_header("X-Request-Id", "rid-7");
                   res.set_content(R"({"ok":false})", "application/json");
                 });
    // Reached only through the explicit proxy: the host does not resolve.
    server_.Post("http://upstream.invalid/via-proxy",
                 [](const httplib::Request&, httplib::Response& res) {
                   res.set_content("proxied", "text/plain");
                 });
    server_.Post("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(kMaxResponseBodyBytes + 1, 'x'),
                      "text/plain");
    });
    server_.Post("/hang", [this](const httplib::Request&, httplib::Response&) {
      while (!release_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so await it (bounded).
    for (int i = 0; i < 2000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(server_.is_running());
    auto transport = CreateCurlTransport(CurlTransportOptions{});
    ASSERT_TRUE(transport);
    transport_ = *std::move(transport);
  }

  void TearDown() override {
    release_ = true;
    transport_.reset();  // closes kept-alive connections before stop()
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  TransportResult Send(const std::string& path) {
    HttpRequest req;
    req.url = Url(path);
    req.headers = {{"X-Api-Key", "k1"}};
    req.body = "{\"a\":1}";
    std::promise<TransportResult> promise;
    auto future = promise.get_future();
    transport_->Send(req, [&promise](TransportResult r) {
      promise.set_value(std::move(r));
    });
    EXPECT_EQ(future.wait_for(seconds(30)), std::future_status::ready);
    return future.get();
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> release_{false};
  std::mutex mutex_;
  std::set<int> ports_;
  std::string last_body_;
  std::string last_key_;
  std::unique_ptr<HttpTransport> transport_;
};

// Any status comes back with its body and lowercased headers; the request
// body and headers arrive as sent.
TEST_F(CurlTransportTest, PassesStatusHeadersAndBody) {
  auto r = Send("/echo");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->body, R"({"ok":false})");
  EXPECT_EQ(r->Header("x-request-id"), "rid-7");
  std::lock_guard lock(mutex_);
  EXPECT_EQ(last_body_, "{\"a\":1}");
  EXPECT_EQ(last_key_, "k1");
}

// Sequential requests reuse one kept-alive connection (one client port).
TEST_F(CurlTransportTest, ReusesConnection) {
  ASSERT_TRUE(Send("/echo"));
  ASSERT_TRUE(Send("/echo"));
  ASSERT_TRUE(Send("/echo"));
  std::lock_guard lock(mutex_);
  EXPECT_EQ(ports_.size(), 1u);
}

// A body over 64 KiB is refused as kTooLarge.
TEST_F(CurlTransportTest, OversizedBodyRefused) {
  auto r = Send("/big");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportErrorKind::kTooLarge);
}

// Nothing listening: a connect failure.
TEST_F(CurlTransportTest, ConnectRefused) {
  // A port that was free a moment ago: bound, then closed unlistened.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  const int port = ntohs(addr.sin_port);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  std::promise<TransportResult> promise;
  auto future = promise.get_future();
  transport_->Send(
      req, [&promise](TransportResult r) { promise.set_value(std::move(r)); });
  ASSERT_EQ(future.wait_for(seconds(30)), std::future_status::ready);
  auto r = future.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportErrorKind::kConnect);
}

// Shutdown completes an in-flight request with kShutdown, and later sends
// fail the same way at once.
TEST_F(CurlTransportTest, ShutdownAbortsInFlight) {
  HttpRequest req;
  req.url = Url("/hang");
  std::promise<TransportResult> promise;
  auto future = promise.get_future();
  transport_->Send(
      req, [&promise](TransportResult r) { promise.set_value(std::move(r)); });
  transport_->Shutdown();
  ASSERT_EQ(future.wait_for(seconds(30)), std::future_status::ready);
  auto r = future.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, TransportErrorKind::kShutdown);
  bool refused = false;
  transport_->Send(req, [&refused](TransportResult r2) {
    refused = !r2 && r2.error().kind == TransportErrorKind::kShutdown;
  });
  EXPECT_TRUE(refused);
}

// An explicit proxy carries the request (absolute-form URI to the proxy).
TEST_F(CurlTransportTest, UsesExplicitProxy) {
  CurlTransportOptions options;
  options.proxy = "http://127.0.0.1:" + std::to_string(port_);
  auto proxied = CreateCurlTransport(options);
  ASSERT_TRUE(proxied);
  HttpRequest req;
  req.url = "http://upstream.invalid/via-proxy";
  std::promise<TransportResult> promise;
  auto future = promise.get_future();
  (*proxied)->Send(
      req, [&promise](TransportResult r) { promise.set_value(std::move(r)); });
  ASSERT_EQ(future.wait_for(seconds(30)), std::future_status::ready);
  auto r = future.get();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "proxied");
}

}  // namespace
}  // namespace gg::upstream
