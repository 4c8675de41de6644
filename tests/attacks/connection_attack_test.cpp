// Attacks on the socket by a local user (issue 10 points 6 and 10): a peer
// that never reads its answers, one user holding every connection slot, and
// blank lines keeping an idle connection open.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "tests/attacks/attack_support.h"
#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using attacks::ConnectRaw;
using attacks::ForeignClient;
using nlohmann::json;
using std::chrono::seconds;

// True once the agent closed `fd` (POLLHUP), without reading from it.
bool AwaitHangup(int fd, std::chrono::milliseconds timeout) {
  return PollUntil(
      [fd] {
        pollfd p{fd, 0, 0};
        return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
      },
      timeout);
}

// One connection pipelines pings (with 32 KiB ids, so each answer is as
// big) and never reads. The agent stops reading from it once its answers
// back up, so its memory stays bounded; other apps are answered meanwhile;
// the stuck connection is closed after the idle timeout.
TEST_F(E2eTest, PeerThatNeverReadsIsBoundedAndClosed) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"ipc", {{"idleTimeoutSeconds", 3}}}}));
  const long long rss_before = attacks::RssKib(agent_->Pid());
  ASSERT_GT(rss_before, 0);

  auto raw = ConnectRaw(agent_->SocketPath());
  ASSERT_TRUE(raw) << raw.error().message;
  const int fd = *raw;
  const std::string line =
      json{{"v", 1}, {"id", std::string(32 * 1024, 'x')}, {"op", "ping"}}
          .dump() +
      "\n";
  constexpr std::size_t kMaxBytes = 160u << 20;  // what today's agent takes
  std::size_t sent = 0;
  std::size_t offset = 0;
  bool backpressure = false;
  while (sent < kMaxBytes) {
    ssize_t n = ::send(fd, line.data() + offset, line.size() - offset,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      offset = (offset + static_cast<std::size_t>(n)) % line.size();
      continue;
    }
    ASSERT_TRUE(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        << std::strerror(errno);
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 1000) == 0) {
      backpressure = true;  // the agent has stopped reading from us
      break;
    }
  }
  EXPECT_TRUE(backpressure) << "the agent read all " << sent << " bytes";

  // Other apps are served while the flooding connection is stuck.
  auto other = Connect();
  ASSERT_TRUE(other);
  auto pong = other->Call({{"op", "ping"}});
  ASSERT_TRUE(pong) << pong.error().message;
  EXPECT_EQ(pong->value("ok", false), true);
  json allow = AuthorizeOnce(*other, kProduct, "DEMO-ALLOW-0001");
  EXPECT_EQ(allow.value("allow", false), true) << allow.dump();

  const long long rss_after = attacks::RssKib(agent_->Pid());
  EXPECT_LT(rss_after - rss_before, 32 * 1024)
      << "RSS grew from " << rss_before << " to " << rss_after << " KiB after "
      << sent << " bytes of unread pings";

  EXPECT_TRUE(AwaitHangup(fd, seconds(30)))
      << "the agent kept a connection whose answers were never read";
  ::close(fd);
  EXPECT_NE(agent_->Log().find("were not read"), std::string::npos);
}

// One uid may hold ipc.maxConnectionsPerUid connections; the next one gets
// BUSY and is closed, while other users (and root) still get in.
TEST_F(E2eTest, OneUserCannotTakeEveryConnectionSlot) {
  if (!attacks::CanSwitchUsers())
    GTEST_SKIP() << "needs root to act as other users";
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"ipc",
                          {{"mode", "0666"},
                           {"maxConnections", 20},
                           {"maxConnectionsPerUid", 3}}}},
                        /*start=*/false));
  ASSERT_EQ(::chmod(agent_->Dir().c_str(), 0755), 0);
  ASSERT_TRUE(agent_->Start());

  std::vector<std::unique_ptr<ForeignClient>> held;
  for (int i = 0; i < 3; ++i) {
    auto c = ForeignClient::Connect(agent_->SocketPath(), attacks::kMallory);
    ASSERT_TRUE(c) << c.error().message;
    auto pong = (**c)->Call({{"op", "ping"}});
    ASSERT_TRUE(pong) << pong.error().message;
    ASSERT_EQ(pong->value("ok", false), true) << pong->dump();
    held.push_back(std::move(*c));
  }
  auto fourth = ForeignClient::Connect(agent_->SocketPath(), attacks::kMallory);
  ASSERT_TRUE(fourth) << fourth.error().message;
  auto busy = (**fourth)->ReadAnswer(seconds(10));
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_EQ(busy->value("ok", true), false) << busy->dump();
  EXPECT_EQ((*busy)["error"].value("code", ""), "BUSY") << busy->dump();
  EXPECT_TRUE((**fourth)->AwaitClosed(seconds(10)));

  auto alice = ForeignClient::Connect(agent_->SocketPath(), attacks::kAlice);
  ASSERT_TRUE(alice) << alice.error().message;
  auto pong = (**alice)->Call({{"op", "ping"}});
  ASSERT_TRUE(pong) << pong.error().message;
  EXPECT_EQ(pong->value("ok", false), true) << pong->dump();
  auto root = Connect();
  ASSERT_TRUE(root);
  auto status = root->Call({{"op", "status"}});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->value("ok", false), true);
}

// A connection that sends only blank lines (or a trickle of them) is not
// doing anything: it is closed after the idle timeout like a silent one.
TEST_F(E2eTest, BlankLinesDoNotKeepAConnectionOpen) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"ipc", {{"idleTimeoutSeconds", 1}}}}));
  auto raw = ConnectRaw(agent_->SocketPath());
  ASSERT_TRUE(raw) << raw.error().message;
  const int fd = *raw;
  bool closed = false;
  // 15 s is fifteen idle timeouts: today's agent keeps it open throughout.
  const auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    if (::send(fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
        errno != EAGAIN) {
      closed = true;
      break;
    }
    closed = AwaitHangup(fd, std::chrono::milliseconds(200));
  }
  ::close(fd);
  EXPECT_TRUE(closed) << "blank lines kept the connection open";
}

}  // namespace
}  // namespace gg::e2e
