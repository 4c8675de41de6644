// Unit tests of one connection's protocol state without a socket:
// dispatch, in-order answers, events, the in-flight limit, permissions.
#include "ipc/dispatcher.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/ipc/fake_handler.h"

namespace gg::ipc {
namespace {

using nlohmann::json;

constexpr char kAuth[] =
    R"({"v":1,"id":ID,"op":"authorize","productId":"123e4567-e89b-12d3-a456-426614174000","licenseKey":"KEY"})";

std::string Auth(int id, const std::string& key) {
  std::string s = kAuth;
  s.replace(s.find("ID"), 2, std::to_string(id));
  s.replace(s.find("KEY"), 3, key);
  return s + "\n";
}

class DispatcherTest : public ::testing::Test {
 protected:
  std::shared_ptr<Dispatcher> Make(Peer peer = {1, 1000, 1000},
                                   Limits limits = {}) {
    Dispatcher::Io io;
    io.write = [this](std::string s) { written_ += s; };
    io.close = [this] { closed_ = true; };
    io.post = [this](std::function<void()> t) {
      posted_.push_back(std::move(t));
    };
    return std::make_shared<Dispatcher>(1, peer, 1000, limits, handler_, io);
  }
  void RunPosted() {
    auto tasks = std::move(posted_);
    posted_.clear();
    for (auto& t : tasks) {
      t();
    }
  }
  std::vector<json> Lines() {
    std::vector<json> out;
    std::size_t pos = 0;
    while (true) {
      auto nl = written_.find('\n', pos);
      if (nl == std::string::npos) {
        break;
      }
      out.push_back(json::parse(written_.substr(pos, nl - pos)));
      pos = nl + 1;
    }
    return out;
  }

  testing::FakeHandler handler_;
  std::string written_;
  bool closed_ = false;
  std::vector<std::function<void()>> posted_;
};

// ping is answered by ipc itself with ok:true and the id echoed.
TEST_F(DispatcherTest, PingAnswersOk) {
  auto d = Make();
  d->OnBytes(R"({"v":1,"id":"p","op":"ping"})"
             "\n");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], json::parse(R"({"id":"p","ok":true})"));
}

// A bad line gets an answer and the connection stays usable.
TEST_F(DispatcherTest, BadLineKeepsConnection) {
  auto d = Make();
  d->OnBytes("garbage\n[1]\n{\"v\":1,\"id\":2,\"op\":\"ping\"}\n");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["error"]["code"], "BAD_REQUEST");
  EXPECT_EQ(lines[1]["error"]["code"], "BAD_REQUEST");
  EXPECT_EQ(lines[2]["ok"], true);
  EXPECT_FALSE(closed_);
}

// Pipelined answers come back in request order even when a later one is
// ready first.
TEST_F(DispatcherTest, PipelinedAnswersInOrder) {
  auto d = Make();
  d->OnBytes(Auth(1, "defer-key") + Auth(2, "good") +
             R"({"v":1,"id":3,"op":"ping"})"
             "\n");
  RunPosted();
  EXPECT_TRUE(written_.empty());  // 2 and 3 wait behind 1
  handler_.ReplyDeferred(0, testing::FakeHandler::Deny());
  RunPosted();
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["id"], 1);
  EXPECT_EQ(lines[0]["allow"], false);
  EXPECT_EQ(lines[1]["id"], 2);
  EXPECT_EQ(lines[1]["allow"], true);
  EXPECT_EQ(lines[2]["id"], 3);
}

// Events go out at once, between answers, never inside one.
TEST_F(DispatcherTest, EventsInterleaveBetweenAnswers) {
  auto d = Make();
  d->OnBytes(Auth(1, "good"));
  RunPosted();
  d->OnBytes(Auth(2, "defer-key"));
  d->PushEvent(EncodeVerdictEvent("s_1", testing::FakeHandler::Deny()));
  handler_.ReplyDeferred(0, testing::FakeHandler::Allow("s_9"));
  RunPosted();
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["id"], 1);
  EXPECT_EQ(lines[1]["event"], "verdict");
  EXPECT_EQ(lines[2]["id"], 2);
  EXPECT_TRUE(d->HasSession());
}

// Past the in-flight limit a request gets BUSY, in its place in order.
TEST_F(DispatcherTest, InFlightLimitAnswersBusy) {
  Limits limits;
  limits.max_in_flight = 2;
  auto d = Make({1, 1000, 1000}, limits);
  d->OnBytes(Auth(1, "defer-key") + Auth(2, "defer-key") + Auth(3, "good"));
  EXPECT_EQ(d->InFlight(), 2u);
  handler_.ReplyDeferred(0, testing::FakeHandler::Deny());
  handler_.ReplyDeferred(1, testing::FakeHandler::Deny());
  RunPosted();
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["id"], 3);
  EXPECT_EQ(lines[2]["error"]["code"], "BUSY");
  EXPECT_EQ(lines[2]["allow"], false);
}

// Handler errors and SESSION_NOT_FOUND pass through as error answers.
TEST_F(DispatcherTest, HandlerErrorsPassThrough) {
  auto d = Make();
  d->OnBytes(Auth(1, "error-key") +
             R"({"v":1,"id":2,"op":"heartbeat","sessionId":"nope"})"
             "\n" +
             R"({"v":1,"id":3,"op":"release","sessionId":"nope"})"
             "\n");
  RunPosted();
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["error"]["code"], "INTERNAL");
  EXPECT_EQ(lines[1]["error"]["code"], "SESSION_NOT_FOUND");
  EXPECT_EQ(lines[2]["error"]["code"], "SESSION_NOT_FOUND");
}

// A handler that throws yields INTERNAL and the connection goes on.
TEST_F(DispatcherTest, ThrowingHandlerAnswersInternal) {
  auto d = Make();
  d->OnBytes(Auth(1, "throw-key") + R"({"v":1,"id":2,"op":"ping"})"
                                    "\n");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["error"]["code"], "INTERNAL");
  EXPECT_EQ(lines[0]["allow"], false);
  EXPECT_EQ(lines[1]["ok"], true);
  EXPECT_EQ(d->InFlight(), 0u);
}

// release of an open session answers ok and forgets it.
TEST_F(DispatcherTest, ReleaseEndsSession) {
  auto d = Make();
  d->OnBytes(Auth(1, "good"));
  RunPosted();
  ASSERT_TRUE(d->HasSession());
  d->OnBytes(R"({"v":1,"id":2,"op":"release","sessionId":"s_1"})"
             "\n");
  EXPECT_FALSE(d->HasSession());
  EXPECT_EQ(Lines().back(), json::parse(R"({"id":2,"ok":true})"));
}

// The handler owns the session table: a session the agent ended on its own
// (a pushed denial, a timeout) no longer keeps the connection from idling.
TEST_F(DispatcherTest, SessionEndedByTheAgentIsGoneForTheConnection) {
  auto d = Make();
  d->OnBytes(Auth(1, "good"));
  RunPosted();
  ASSERT_TRUE(d->HasSession());
  handler_.EndSession("s_1");
  EXPECT_FALSE(d->HasSession());
}

// sessions is FORBIDDEN to other users and unknown peers, open to root
// and to the agent's own uid.
TEST_F(DispatcherTest, SessionsPermission) {
  const std::string req = R"({"v":1,"id":1,"op":"sessions"})"
                          "\n";
  Make({1, 1001, 1001})->OnBytes(req);
  Make({1, -1, -1})->OnBytes(req);
  Make({1, 0, 0})->OnBytes(req);
  Make({1, 1000, 5})->OnBytes(req);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["error"]["code"], "FORBIDDEN");
  EXPECT_EQ(lines[1]["error"]["code"], "FORBIDDEN");
  EXPECT_EQ(lines[2]["ok"], true);
  EXPECT_EQ(lines[3]["ok"], true);
}

// metrics is restricted exactly like sessions, and carries the handler's
// Prometheus text with its content type.
TEST_F(DispatcherTest, MetricsPermissionAndText) {
  const std::string req = R"({"v":1,"id":1,"op":"metrics"})"
                          "\n";
  Make({1, 1001, 1001})->OnBytes(req);
  Make({1, -1, -1})->OnBytes(req);
  Make({1, 0, 0})->OnBytes(req);
  Make({1, 1000, 5})->OnBytes(req);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["error"]["code"], "FORBIDDEN");
  EXPECT_EQ(lines[0]["allow"], false);
  EXPECT_EQ(lines[1]["error"]["code"], "FORBIDDEN");
  EXPECT_EQ(lines[2]["ok"], true);
  EXPECT_EQ(lines[2]["text"], "gg_agent_sessions 0\n");
  EXPECT_EQ(lines[2]["contentType"], "text/plain; version=0.0.4");
  EXPECT_EQ(lines[3]["ok"], true);
}

// status carries the handler's numbers.
TEST_F(DispatcherTest, StatusFromHandler) {
  auto d = Make();
  d->OnBytes(R"({"v":1,"id":1,"op":"status"})"
             "\n");
  EXPECT_EQ(Lines().at(0)["version"], "9.9.9");
}

// An oversized frame: earlier answers, then FRAME_TOO_LARGE, then close.
TEST_F(DispatcherTest, FrameTooLargeCloses) {
  auto d = Make();
  d->OnBytes(R"({"v":1,"id":1,"op":"ping"})"
             "\n" +
             std::string(70000, 'x'));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["ok"], true);
  EXPECT_EQ(lines[1]["error"]["code"], "FRAME_TOO_LARGE");
  EXPECT_TRUE(closed_);
  d->OnBytes(R"({"v":1,"id":2,"op":"ping"})"
             "\n");
  EXPECT_EQ(Lines().size(), 2u);
}

// A reply arriving after the connection is gone is dropped safely, and a
// second reply call is ignored.
TEST_F(DispatcherTest, LateAndDoubleRepliesAreSafe) {
  auto d = Make();
  d->OnBytes(Auth(1, "defer-key"));
  handler_.ReplyDeferred(0, testing::FakeHandler::Deny());
  handler_.ReplyDeferred(0, testing::FakeHandler::Allow("s_x"));
  EXPECT_EQ(posted_.size(), 1u);
  d.reset();
  RunPosted();
  EXPECT_TRUE(written_.empty());
}

}  // namespace
}  // namespace gg::ipc
