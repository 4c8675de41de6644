// End to end, sessions: concurrency limits and a crashed app's seat.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/integration/e2e_test.h"

namespace gg::e2e {
namespace {

using nlohmann::json;

// The local session count reaches the signed policy's limit (3 for
// DEMO-ALLOW-0001, overriding the config's 1): the next app is denied by
// the agent, source "local".
TEST_F(E2eTest, ConcurrencyLimitFromLocalCount) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent({{"policy", {{"maxConcurrentSessions", 1}}}}));
  std::vector<std::unique_ptr<NdjsonClient>> apps;
  for (int i = 0; i < 3; ++i) {
    apps.push_back(Connect());
    ASSERT_TRUE(apps.back());
    auto allow = apps.back()->Authorize(kProduct, "DEMO-ALLOW-0001");
    ASSERT_TRUE(allow) << allow.error().message;
    ASSERT_EQ(allow->value("allow", false), true) << allow->dump();
  }
  auto fourth = Connect();
  ASSERT_TRUE(fourth);
  auto deny = fourth->Authorize(kProduct, "DEMO-ALLOW-0001");
  ASSERT_TRUE(deny) << deny.error().message;
  EXPECT_EQ(deny->value("allow", true), false) << deny->dump();
  EXPECT_EQ(deny->value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << deny->dump();
  EXPECT_EQ(deny->value("source", ""), "local") << deny->dump();
}

// The server's own concurrency denial (DEMO-CONCURRENCY-LIMIT) passes
// through with source "online".
TEST_F(E2eTest, ConcurrencyLimitFromServer) {
  ASSERT_TRUE(StartServer());
  ASSERT_TRUE(MakeAgent());
  auto client = Connect();
  ASSERT_TRUE(client);
  auto deny = client->Authorize(kProduct, "DEMO-CONCURRENCY-LIMIT");
  ASSERT_TRUE(deny) << deny.error().message;
  EXPECT_EQ(deny->value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << deny->dump();
  EXPECT_EQ(deny->value("source", ""), "online") << deny->dump();
  EXPECT_EQ(UpstreamRequestsFor("DEMO-CONCURRENCY-LIMIT"), 1);
}

// Runs in the forked child: raw syscalls only (no allocation after fork).
// Sends `request` on a new connection, copies the answer line to `out_fd`,
// then waits to be killed.
[[noreturn]] void DetachedApp(const char* socket_path,
                              const char* request,
                              int out_fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path, sizeof(addr.sun_path) - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    ::_exit(2);
  size_t len = std::strlen(request);
  if (::write(fd, request, len) != static_cast<ssize_t>(len))
    ::_exit(3);
  char buf[4096];
  size_t got = 0;
  while (got < sizeof(buf)) {
    ssize_t n = ::read(fd, buf + got, sizeof(buf) - got);
    if (n <= 0)
      ::_exit(4);
    got += static_cast<size_t>(n);
    if (std::memchr(buf, '\n', got) != nullptr)
      break;
  }
  if (::write(out_fd, buf, got) != static_cast<ssize_t>(got))
    ::_exit(5);
  for (;;)
    ::pause();
}

bool HasSessionOfPid(NdjsonClient& client, pid_t pid) {
  auto sessions = client.Call({{"op", "sessions"}});
  if (!sessions || !(*sessions)["sessions"].is_array())
    return true;  // unknown: keep waiting, the final assert reports it
  for (const auto& s : (*sessions)["sessions"]) {
    if (s.value("pid", -1) == pid)
      return true;
  }
  return false;
}

// An app that opened a detached session and was SIGKILLed frees its seat:
// the agent notices its process is gone (no lease to run out first).
TEST_F(E2eTest, CrashedAppDetachedSessionIsFreed) {
  FixtureChanges changes;
  changes.extra_allow_keys = {"E2E-ONE-SEAT"};
  changes.max_sessions = 1;
  ASSERT_TRUE(StartServer(&changes));
  ASSERT_TRUE(MakeAgent());
  const std::string socket_path = agent_->SocketPath().string();
  const std::string request = json{{"v", 1},
                                   {"id", 1},
                                   {"op", "authorize"},
                                   {"productId", kProduct},
                                   {"licenseKey", "E2E-ONE-SEAT"},
                                   {"detached", true}}
                                  .dump() +
                              "\n";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    DetachedApp(socket_path.c_str(), request.c_str(), fds[1]);
  }
  ::close(fds[1]);
  pollfd p{fds[0], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 20000), 1) << "the app got no answer";
  char buf[4096];
  ssize_t n = ::read(fds[0], buf, sizeof(buf));
  ::close(fds[0]);
  ASSERT_GT(n, 0);
  json answer =
      json::parse(std::string(buf, static_cast<size_t>(n)), nullptr, false);
  ASSERT_EQ(answer.value("allow", false), true) << answer.dump();

  auto admin = Connect();
  ASSERT_TRUE(admin);
  EXPECT_TRUE(HasSessionOfPid(*admin, child));
  // The seat is taken while the app lives.
  json taken = AuthorizeOnce(*admin, kProduct, "E2E-ONE-SEAT");
  EXPECT_EQ(taken.value("reasonCode", json()), "CONCURRENCY_LIMIT_EXCEEDED")
      << taken.dump();

  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(PollUntil([&] { return !HasSessionOfPid(*admin, child); },
                        std::chrono::seconds(20)))
      << agent_->Log();
  json free_again = AuthorizeOnce(*admin, kProduct, "E2E-ONE-SEAT");
  EXPECT_EQ(free_again.value("allow", false), true) << free_again.dump();
}

}  // namespace
}  // namespace gg::e2e
