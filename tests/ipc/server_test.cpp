// Integration tests of the real Unix socket server with a fake handler:
// socket file handling, peers, limits, events, socket activation.
#include "ipc/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/ipc/test_util.h"

namespace gg::ipc::testing {
namespace {

using nlohmann::json;

constexpr char kPing[] = R"({"v":1,"id":1,"op":"ping"})"
                         "\n";

ServerOptions Options(const TempDir& dir) {
  ServerOptions o;
  o.path = dir.path() + "/gg-agent/agent.sock";
  return o;
}

json Next(LineClient& c) {
  auto line = c.ReadLine();
  EXPECT_TRUE(line.has_value());
  return line ? json::parse(*line, nullptr, false) : json();
}

// A request reaches the handler with the peer's real pid, uid and gid.
TEST(ServerTest, PeerCredentialsReadBack) {
  TempDir dir;
  ServerFixture f(Options(dir));
  ASSERT_TRUE(f.Start());
  LineClient c(dir.path() + "/gg-agent/agent.sock");
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(AuthLine(1, "good")));
  json a = Next(c);
  EXPECT_EQ(a["allow"], true);
  Peer peer = f.handler().LastPeer();
  EXPECT_EQ(peer.pid, getpid());
  EXPECT_EQ(peer.uid, static_cast<long long>(getuid()));
  EXPECT_EQ(peer.gid, static_cast<long long>(getgid()));
}

// The directory and socket get the configured modes (user mode default).
TEST(ServerTest, SocketAndDirectoryModes) {
  TempDir dir;
  ServerFixture f(Options(dir));
  ASSERT_TRUE(f.Start());
  struct stat st {};
  ASSERT_EQ(stat((dir.path() + "/gg-agent").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((dir.path() + "/gg-agent/agent.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// The system-service modes: directory 0755, socket 0660 with a group.
TEST(ServerTest, SystemModesAndGroup) {
  TempDir dir;
  ServerOptions o = Options(dir);
  o.socket_mode = 0660;
  o.directory_mode = 0755;
  o.socket_group = "root";
  ServerFixture f(o);
  ASSERT_TRUE(f.Start());
  struct stat st {};
  ASSERT_EQ(stat((dir.path() + "/gg-agent").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(stat(o.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_gid, 0u);
}

// An unknown group fails the start instead of leaving a wrong socket.
TEST(ServerTest, UnknownGroupFailsStart) {
  TempDir dir;
  ServerOptions o = Options(dir);
  o.socket_group = "no-such-group-gg";
  ServerFixture f(o);
  EXPECT_FALSE(f.Start());
}

// A socket file nobody listens on (a crash) is replaced at start.
TEST(ServerTest, StaleSocketReplaced) {
  TempDir dir;
  std::string path = dir.path() + "/agent.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  close(fd);  // the file stays, nobody listens
  ServerOptions o;
  o.path = path;
  ServerFixture f(o);
  ASSERT_TRUE(f.Start());
  LineClient c(path);
  ASSERT_TRUE(c.Send(kPing));
  EXPECT_EQ(Next(c)["ok"], true);
}

// A live agent on the path makes a second start fail, the first unharmed.
TEST(ServerTest, LiveSocketRefusesSecondAgent) {
  TempDir dir;
  ServerFixture first(Options(dir));
  ASSERT_TRUE(first.Start());
  ServerFixture second(Options(dir));
  auto started = second.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kAddressInUse);
  LineClient c(dir.path() + "/gg-agent/agent.sock");
  ASSERT_TRUE(c.Send(kPing));
  EXPECT_EQ(Next(c)["ok"], true);
}

// A regular file on the path is never deleted.
TEST(ServerTest, NonSocketFileNotReplaced) {
  TempDir dir;
  std::string path = dir.path() + "/agent.sock";
  std::ofstream(path) << "data";
  ServerOptions o;
  o.path = path;
  ServerFixture f(o);
  EXPECT_FALSE(f.Start());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

// Closing a connection tells the handler, which releases its sessions.
TEST(ServerTest, DisconnectReleasesSessions) {
  TempDir dir;
  ServerFixture f(Options(dir));
  ASSERT_TRUE(f.Start());
  {
    LineClient c(dir.path() + "/gg-agent/agent.sock");
    ASSERT_TRUE(c.Send(AuthLine(1, "good")));
    ASSERT_EQ(Next(c)["allow"], true);
    EXPECT_EQ(f.handler().SessionCount(), 1u);
  }
  ASSERT_TRUE(f.handler().WaitClosed(1));
  EXPECT_EQ(f.handler().SessionCount(), 0u);
  EXPECT_EQ(f.OnLoop([&] { return f.server().ConnectionCount(); }), 0u);
}

// Past max connections a peer gets BUSY and is closed; others go on.
TEST(ServerTest, MaxConnectionsBusy) {
  TempDir dir;
  ServerOptions o = Options(dir);
  o.limits.max_connections = 1;
  ServerFixture f(o);
  ASSERT_TRUE(f.Start());
  LineClient first(o.path);
  ASSERT_TRUE(first.Send(kPing));
  ASSERT_EQ(Next(first)["ok"], true);
  LineClient second(o.path);
  json busy = Next(second);
  EXPECT_EQ(busy["error"]["code"], "BUSY");
  EXPECT_EQ(busy["allow"], false);
  EXPECT_TRUE(second.WaitClosed());
  ASSERT_TRUE(first.Send(kPing));
  EXPECT_EQ(Next(first)["ok"], true);
}

// An idle connection without a session is closed; one holding a session,
// idle for longer, stays open.
TEST(ServerTest, IdleTimeoutSparesSessions) {
  TempDir dir;
  ServerOptions o = Options(dir);
  o.limits.idle_timeout = std::chrono::milliseconds(100);
  ServerFixture f(o);
  ASSERT_TRUE(f.Start());
  LineClient holder(o.path);
  ASSERT_TRUE(holder.Send(AuthLine(1, "good")));
  ASSERT_EQ(Next(holder)["allow"], true);
  LineClient idle(o.path);  // connected after the holder's last request
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.WaitClosed());
  ASSERT_TRUE(holder.Send(kPing));
  EXPECT_EQ(Next(holder)["ok"], true);
}

// A partial line not finished in time closes that connection only.
TEST(ServerTest, PartialLineTimeout) {
  TempDir dir;
  ServerOptions o = Options(dir);
  o.limits.partial_line_timeout = std::chrono::milliseconds(100);
  ServerFixture f(o);
  ASSERT_TRUE(f.Start());
  LineClient slow(o.path);
  ASSERT_TRUE(slow.Send("{\"v\":1,"));
  LineClient other(o.path);
  ASSERT_TRUE(other.Send(kPing));
  EXPECT_EQ(Next(other)["ok"], true);
  EXPECT_TRUE(slow.WaitClosed());
}

// Exactly 65,536 bytes with the newline is answered; one more byte gets
// FRAME_TOO_LARGE and a close.
TEST(ServerTest, FrameSizeLimit) {
  TempDir dir;
  ServerFixture f(Options(dir));
  ASSERT_TRUE(f.Start());
  LineClient c(dir.path() + "/gg-agent/agent.sock");
  std::string head = R"({"v":1,"id":1,"op":"ping","pad":")";
  std::string exact =
      head + std::string(65536 - head.size() - 3, 'x') + "\"}\n";
  ASSERT_EQ(exact.size(), 65536u);
  ASSERT_TRUE(c.Send(exact));
  EXPECT_EQ(Next(c)["ok"], true);
  std::string over = head + std::string(65536 - head.size() - 2, 'x') + "\"}\n";
  ASSERT_TRUE(c.Send(over));
  json e = Next(c);
  EXPECT_EQ(e["error"]["code"], "FRAME_TOO_LARGE");
  EXPECT_TRUE(c.WaitClosed());
}

// Verdict events reach the right connection from another thread, and
// shutdown reaches everyone.
TEST(ServerTest, EventsPushedFromAnyThread) {
  TempDir dir;
  ServerFixture f(Options(dir));
  ASSERT_TRUE(f.Start());
  LineClient c(dir.path() + "/gg-agent/agent.sock");
  ASSERT_TRUE(c.Send(AuthLine(1, "good")));
  ASSERT_EQ(Next(c)["allow"], true);
  Verdict revoked;
  revoked.reason_code = "LICENSE_REVOKED";
  revoked.source = "online";
  f.server().PushVerdictEvent(1, "s_1", revoked);  // the first connection
  json ev = Next(c);
  EXPECT_EQ(ev["event"], "verdict");
  EXPECT_EQ(ev["reasonCode"], "LICENSE_REVOKED");
  EXPECT_EQ(ev["allow"], false);
  f.server().Drain();
  EXPECT_EQ(Next(c)["event"], "shutdown");
}

// Drain sends the shutdown event, then closes, and accepts no one new.
TEST(ServerTest, DrainClosesAfterShutdownEvent) {
  TempDir dir;
  ServerFixture f(Options(dir));
  ASSERT_TRUE(f.Start());
  LineClient c(dir.path() + "/gg-agent/agent.sock");
  ASSERT_TRUE(c.Send(AuthLine(1, "good")));
  ASSERT_EQ(Next(c)["allow"], true);
  f.server().Drain();
  EXPECT_EQ(Next(c)["event"], "shutdown");
  EXPECT_TRUE(c.WaitClosed());
  ASSERT_TRUE(f.handler().WaitClosed(1));
  LineClient late(dir.path() + "/gg-agent/agent.sock");
  EXPECT_FALSE(late.connected() && late.Send(kPing) && late.ReadLine());
}

// allowedUids refuses everyone else at accept; allowedGroups admits members.
TEST(ServerTest, AllowedUidsAndGroups) {
  TempDir dir;
  ServerOptions o = Options(dir);
  o.allowed_uids = {static_cast<long long>(getuid()) + 4242};
  {
    ServerFixture f(o);
    ASSERT_TRUE(f.Start());
    LineClient c(o.path);
    c.Send(kPing);
    EXPECT_TRUE(c.WaitClosed());
    EXPECT_TRUE(f.handler().Closed().empty());  // never became a connection
  }
  o.allowed_gids = {static_cast<long long>(getgid())};
  ServerFixture g(o);
  ASSERT_TRUE(g.Start());
  LineClient c(o.path);
  ASSERT_TRUE(c.Send(kPing));
  EXPECT_EQ(Next(c)["ok"], true);
}

// With socket activation the handed-over socket is used, nothing bound.
TEST(ServerTest, SocketActivation) {
  TempDir dir;
  std::string path = dir.path() + "/act.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  ServerOptions o;
  o.path = dir.path() + "/unused.sock";
  o.activated_fds = {fd};
  {
    ServerFixture f(o);
    ASSERT_TRUE(f.Start());
    LineClient c(path);
    ASSERT_TRUE(c.Send(kPing));
    EXPECT_EQ(Next(c)["ok"], true);
  }
  struct stat st {};
  EXPECT_NE(stat(o.path.c_str(), &st), 0);  // nothing bound at the config path
  EXPECT_EQ(stat(path.c_str(), &st), 0);    // the unit's socket is left alone
}

// Stop removes the socket file it created.
TEST(ServerTest, StopRemovesSocket) {
  TempDir dir;
  std::string path = dir.path() + "/gg-agent/agent.sock";
  {
    ServerFixture f(Options(dir));
    ASSERT_TRUE(f.Start());
  }
  struct stat st {};
  EXPECT_NE(stat(path.c_str(), &st), 0);
}

}  // namespace
}  // namespace gg::ipc::testing
