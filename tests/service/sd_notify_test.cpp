// sd_notify: parsing of the service manager's variables, and SystemdHost's
// datagrams read back from a socket the test binds (path and abstract).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "platform/random.h"
#include "service/sd_notify.h"

namespace gg::service {
namespace {

using std::chrono::microseconds;

// A datagram socket standing in for systemd's notification socket.
class NotifyListener {
 public:
  // `abstract`: bind "\0name" instead of a path.
  NotifyListener(const std::string& name, bool abstract) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::size_t offset = abstract ? 1 : 0;
    std::memcpy(addr.sun_path + offset, name.data(), name.size());
    auto len =
        static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + offset +
                               name.size() + (abstract ? 0 : 1));
    EXPECT_EQ(::bind(fd_, reinterpret_cast<struct sockaddr*>(&addr), len), 0)
        << std::strerror(errno);
    // Bounded wait for a datagram: never hang the suite.
    struct timeval tv {};
    tv.tv_sec = 5;
    EXPECT_EQ(::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  }
  ~NotifyListener() { ::close(fd_); }

  // The next datagram, or "<none>" after the timeout.
  std::string Receive() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0)
      return "<none>";
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  int fd_ = -1;
};

class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gg-sd-" + *RandomHex(6));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// An unset or empty NOTIFY_SOCKET means "not under systemd", not an error.
TEST(ParseNotifySocketTest, UnsetOrEmptyIsNoTarget) {
  auto unset = ParseNotifySocket(std::nullopt);
  ASSERT_TRUE(unset);
  EXPECT_FALSE(unset->has_value());
  auto empty = ParseNotifySocket(std::string());
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
}

// Paths and '@' abstract names are accepted; '@' is stripped and flagged.
TEST(ParseNotifySocketTest, PathAndAbstract) {
  auto path = ParseNotifySocket(std::string("/run/systemd/notify"));
  ASSERT_TRUE(path && path->has_value());
  EXPECT_EQ((*path)->path, "/run/systemd/notify");
  EXPECT_FALSE((*path)->abstract);
  auto abstract = ParseNotifySocket(std::string("@gg/notify"));
  ASSERT_TRUE(abstract && abstract->has_value());
  EXPECT_EQ((*abstract)->path, "gg/notify");
  EXPECT_TRUE((*abstract)->abstract);
}

// Relative paths, other transports, a bare '@' and over-long paths are refused.
TEST(ParseNotifySocketTest, RejectsUnusable) {
  EXPECT_FALSE(ParseNotifySocket(std::string("relative/sock")));
  EXPECT_FALSE(ParseNotifySocket(std::string("vsock:2:1234")));
  EXPECT_FALSE(ParseNotifySocket(std::string("@")));
  EXPECT_FALSE(ParseNotifySocket("/" + std::string(120, 'x')));
}

// WATCHDOG_USEC is honoured only when valid and meant for this pid.
TEST(ParseWatchdogTimeoutTest, Table) {
  struct Case {
    std::optional<std::string> usec, pid;
    std::optional<microseconds> want;
  };
  const Case cases[] = {
      {std::nullopt, std::nullopt, std::nullopt},
      {"30000000", std::nullopt, microseconds(30000000)},
      {"30000000", "42", microseconds(30000000)},
      {"30000000", "43", std::nullopt},  // for another process
      {"30000000", "x", std::nullopt},
      {"0", std::nullopt, std::nullopt},
      {"-5", std::nullopt, std::nullopt},
      {"12s", std::nullopt, std::nullopt},
      {"", std::nullopt, std::nullopt},
      {"99999999999999999999999", std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseWatchdogTimeout(c.usec, c.pid, 42), c.want)
        << c.usec.value_or("<unset>") << " / " << c.pid.value_or("<unset>");
  }
}

// STATUS= stays one line whatever the agent puts in it.
TEST(MessageTest, StatusIsOneLine) {
  EXPECT_EQ(StatusMessage("online, 3 sessions"), "STATUS=online, 3 sessions");
  EXPECT_EQ(StatusMessage("a\nREADY=1\r"), "STATUS=a READY=1 ");
}

// RELOADING carries the monotonic timestamp systemd's notify-reload wants.
TEST(MessageTest, ReloadingHasMonotonicUsec) {
  EXPECT_EQ(ReloadingMessage(microseconds(1234567)),
            "RELOADING=1\nMONOTONIC_USEC=1234567");
  EXPECT_GT(MonotonicNow().count(), 0);
}

// The host's notifications arrive on a path socket, in order, as sent.
TEST_F(SdNotifyTest, HostSendsLifeCycleToPathSocket) {
  auto path = (dir_ / "notify").string();
  NotifyListener listener(path, /*abstract=*/false);
  SystemdHost host({path, "2000000", std::to_string(::getpid())},
                   CurrentProcessId());
  ASSERT_TRUE(host.enabled());
  host.Ready();
  host.Status("online, 2 sessions");
  host.Watchdog();
  host.Reloading();
  host.Stopping();
  EXPECT_EQ(listener.Receive(), "READY=1");
  EXPECT_EQ(listener.Receive(), "STATUS=online, 2 sessions");
  EXPECT_EQ(listener.Receive(), "WATCHDOG=1");
  EXPECT_EQ(listener.Receive().rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  EXPECT_EQ(listener.Receive(), "STOPPING=1");
  EXPECT_EQ(host.WatchdogInterval(), microseconds(1000000));
}

// An '@' NOTIFY_SOCKET reaches a Linux abstract socket.
TEST_F(SdNotifyTest, HostSendsToAbstractSocket) {
  std::string name = "gg-test-notify-" + *RandomHex(8);
  NotifyListener listener(name, /*abstract=*/true);
  SystemdHost host({"@" + name, std::nullopt, std::nullopt},
                   CurrentProcessId());
  host.Ready();
  host.Watchdog();
  host.Stopping();
  EXPECT_EQ(listener.Receive(), "READY=1");
  EXPECT_EQ(listener.Receive(), "WATCHDOG=1");
  EXPECT_EQ(listener.Receive(), "STOPPING=1");
}

// Without NOTIFY_SOCKET the host is inert and asks for no watchdog.
TEST(SystemdHostTest, NoSocketMeansNoWatchdog) {
  SystemdHost host({std::nullopt, "1000000", std::nullopt}, 1);
  EXPECT_FALSE(host.enabled());
  EXPECT_EQ(host.WatchdogInterval(), std::nullopt);
  host.Ready();  // no crash, nothing to send to
}

// A vanished notification socket is reported as an error, not ignored.
TEST_F(SdNotifyTest, SendToMissingSocketFails) {
  NotifyTarget target{(dir_ / "gone").string(), false};
  EXPECT_FALSE(SendNotification(target, "READY=1"));
}

}  // namespace
}  // namespace gg::service
