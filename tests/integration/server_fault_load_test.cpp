// Faults of the server, under load (issue 13 point 5), on the real gg-agent
// over its real socket: a thousand apps ask at once while the license
// server (tests/integration/hostile_server.h) hangs, drops connections
// mid-body, sends 10 MiB bodies, malformed headers, a trickle of a byte a
// second, or garbage for TLS. Every app is answered within
// requestDeadlineMs (and a margin for a busy machine), by the offline
// rules since nothing is cached; afterwards the agent's descriptors and
// threads are back at their baseline, its memory grew by less than a
// bound, and it still answers.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/e2e_test.h"
#include "tests/integration/hostile_server.h"
#include "tests/integration/proc_stats.h"

namespace gg::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kApps = 1000;
// App i asks for a key of its own when i % kDistinctEvery == 0 (4 keys),
// else for one shared key: one upstream call carries 996 asks, four more
// run beside it. (More keys would only lengthen the wait for a moment when
// none of their retries is in flight, under kHang above all.)
constexpr int kDistinctEvery = 250;
constexpr milliseconds kDeadline{1500};
// Answers are due by kDeadline; the margin is for two cores shared with
// other builds, not a bound on latency. An answer that never comes fails.
constexpr milliseconds kMargin{8000};
// One agent socket the quiet check below cannot see: an attempt whose
// connect() has completed while the server has not accepted it yet. Every
// other upstream socket is counted by the server. (The transport's cache of
// idle connections stays empty here: every answer of these modes ends its
// connection.)
constexpr int kFdSlack = 1;
// How far above the baseline the agent's RSS may go, at its peak and after:
// a thousand connections open at once cost it 11-14 KiB each (the 8 KiB
// read buffer, the dispatcher's and the engine's state of the ask, the JSON
// in and out), 11-14 MiB in all as measured, which glibc keeps for reuse
// once they close; the five upstream answers are capped at 64 KiB of body
// each. The 10 MiB bodies, held in memory, would exceed it by far.
constexpr long long kRssGrowthKib = 24 * 1024;
// A second wave finds that memory free and reuses it; one that leaked per
// app would grow by about as much again.
constexpr long long kRssRepeatGrowthKib = 4 * 1024;

// Short timeouts, so the retries of an ask (upstream.md §4: up to five
// attempts, with backoff) are over within seconds; limits raised for a
// thousand apps of one uid. Under kHang the request timeout is above the
// deadline, as the defaults are (10 s and 5 s): the deadline, not the
// transport, answers the apps while every attempt is still in flight. The
// other modes end each attempt sooner than that on their own, or (the
// trickle) by a timeout kept short to keep the test short.
json Config(HostileMode mode) {
  const int request_timeout_ms = mode == HostileMode::kHang ? 2000 : 500;
  return {
      {"server",
       {{"connectTimeoutMs", 500}, {"requestTimeoutMs", request_timeout_ms}}},
      {"ipc", {{"maxConnections", 2048}, {"maxConnectionsPerUid", 2048}}},
      {"policy",
       {{"requestDeadlineMs", kDeadline.count()},
        {"upstreamPerUidPerMinute", 100000}}},
      {"log", {{"level", "info"}}},
  };
}

struct Figures {
  int fds = -1;
  int threads = -1;
  long long rss_kib = -1;
};

// The agent's figures at a moment it holds no socket to the server: the
// server has none open and accepted none while we read /proc, so every
// attempt of the retries is either not begun or over (but see kFdSlack).
std::optional<Figures> QuietFigures(const HostileServer& server, pid_t pid) {
  const int accepted = server.Accepted();
  if (server.Open() != 0)
    return std::nullopt;
  Figures f{FdCount(pid), ThreadCount(pid), RssKib(pid)};
  if (f.fds < 0 || f.threads < 0 || f.rss_kib < 0 || server.Open() != 0 ||
      server.Accepted() != accepted)
    return std::nullopt;
  return f;
}

std::string Describe(const Figures& f) {
  return std::to_string(f.fds) + " fds, " + std::to_string(f.threads) +
         " threads, " + std::to_string(f.rss_kib) + " KiB RSS";
}

// Raises this process's soft RLIMIT_NOFILE to at least `want` (the agent,
// a child, inherits it and raises its own to the hard limit); false when
// the hard limit is lower.
bool RaiseNofileLimit(rlim_t want) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return false;
  if (limit.rlim_cur >= want)
    return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < want)
    return false;
  limit.rlim_cur = want;
  return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// A thousand apps on their own connections, each with one authorize in
// flight, read with one poll() over all of them.
class AppSwarm {
 public:
  struct App {
    int fd = -1;
    SteadyClock::time_point due;
    std::string in;
    std::optional<json> answer;
  };

  ~AppSwarm() { CloseAll(); }

  // Connects app i and sends its ask, one app after the other (the agent
  // takes them as they come); false with the reason on the first failure.
  bool Open(const std::filesystem::path& socket_path,
            int count,
            std::string* why) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = socket_path.string();
    if (path.size() >= sizeof addr.sun_path) {
      *why = "socket path too long";
      return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    for (int i = 0; i < count; ++i) {
      App app;
      app.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (app.fd < 0 || ::connect(app.fd, reinterpret_cast<sockaddr*>(&addr),
                                  sizeof addr) != 0) {
        *why = "app " + std::to_string(i) + ": " + std::strerror(errno);
        if (app.fd >= 0)
          ::close(app.fd);
        return false;
      }
      apps_.push_back(std::move(app));
      const std::string key =
          i % kDistinctEvery == 0
              ? "HOSTILE-OWN-" + std::to_string(i / kDistinctEvery)
              : std::string("HOSTILE-SHARED");
      const std::string line = json{{"v", 1},
                                    {"id", i},
                                    {"op", "authorize"},
                                    {"productId", kProduct},
                                    {"licenseKey", key}}
                                   .dump() +
                               "\n";
      apps_.back().due = SteadyClock::now() + kDeadline + kMargin;
      // A short line on a fresh socket: it fits the buffer in one write.
      if (::send(apps_.back().fd, line.data(), line.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(line.size())) {
        *why = "send, app " + std::to_string(i) + ": " + std::strerror(errno);
        return false;
      }
    }
    return true;
  }

  // Reads until every app has its answer line or is past its due time.
  void AwaitAnswers() {
    std::vector<pollfd> fds;
    std::vector<App*> waiting;
    for (;;) {
      fds.clear();
      waiting.clear();
      const auto now = SteadyClock::now();
      auto next_due = SteadyClock::time_point::max();
      for (App& app : apps_) {
        if (app.answer || app.due <= now)
          continue;
        fds.push_back({app.fd, POLLIN, 0});
        waiting.push_back(&app);
        next_due = std::min(next_due, app.due);
      }
      if (waiting.empty())
        return;
      const auto wait = std::chrono::ceil<milliseconds>(next_due - now).count();
      if (::poll(fds.data(), fds.size(), static_cast<int>(wait)) < 0 &&
          errno != EINTR) {
        ADD_FAILURE() << "poll: " << std::strerror(errno);
        return;
      }
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents != 0)
          ReadFrom(*waiting[i]);
      }
    }
  }

  void CloseAll() {
    for (App& app : apps_) {
      if (app.fd >= 0)
        ::close(app.fd);
      app.fd = -1;
    }
  }

  const std::vector<App>& apps() const { return apps_; }

 private:
  static void ReadFrom(App& app) {
    char buf[4096];
    const ssize_t n = ::recv(app.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) {
      if (n == 0 || (errno != EAGAIN && errno != EINTR))
        app.answer = json{{"transportError", "closed before an answer"}};
      return;
    }
    app.in.append(buf, static_cast<std::size_t>(n));
    const auto end = app.in.find('\n');
    if (end == std::string::npos)
      return;
    app.answer = json::parse(app.in.substr(0, end), nullptr, false);
  }

  std::vector<App> apps_;
};

// What an answer was, for counting: its reason or error code, or what was
// wrong with it.
std::string KindOf(const json& answer) {
  if (!answer.is_object())
    return "not JSON";
  if (answer.contains("transportError"))
    return "transport: " + answer["transportError"].get<std::string>();
  if (answer.value("allow", true))
    return "an allow";
  if (answer.contains("error") && answer["error"].is_object())
    return "error " + answer["error"].value("code", "?");
  return answer.value("reasonCode", "?") + "/" + answer.value("source", "?");
}

class ServerFaultLoadTest : public E2eTest,
                            public ::testing::WithParamInterface<HostileMode> {
 protected:
  // One wave: kApps apps ask at once, each must be answered by the offline
  // rules (AGENT_OFFLINE, decided by the agent alone as nothing is cached)
  // or told RATE_LIMITED, before its deadline and the margin; then they
  // close, and the agent's fds and threads must come back to `base`. The
  // figures once they have (or when the wait gave up).
  Figures Wave(const HostileServer& server, const Figures& base, int wave) {
    const pid_t pid = agent_->Pid();
    AppSwarm swarm;
    std::string why;
    if (!swarm.Open(agent_->SocketPath(), kApps, &why)) {
      ADD_FAILURE() << why;
      return {};
    }
    swarm.AwaitAnswers();
    const int fds_loaded = FdCount(pid);
    std::map<std::string, int> kinds;
    int unanswered = 0;
    for (const auto& app : swarm.apps()) {
      if (!app.answer) {
        ++unanswered;
        continue;
      }
      ++kinds[KindOf(*app.answer)];
    }
    std::string summary;
    for (const auto& [kind, n] : kinds)
      summary += " " + std::to_string(n) + " " + kind + ";";
    EXPECT_EQ(unanswered, 0)
        << unanswered << " apps had no answer within "
        << (kDeadline + kMargin).count() << " ms;" << summary;
    for (const auto& [kind, n] : kinds) {
      EXPECT_TRUE(kind == "AGENT_OFFLINE/local" ||
                  kind == "AGENT_OFFLINE/offline" ||
                  kind == "error RATE_LIMITED")
          << n << " apps were answered " << kind;
    }
    swarm.CloseAll();

    // The retries of the asks go on after the answers; between attempts
    // the agent holds no upstream socket, and once they end it holds none
    // at all. A leaked descriptor or thread would keep it above the
    // baseline.
    Figures after;
    const auto closed_at = SteadyClock::now();
    const bool back = PollUntil(
        [&] {
          auto now = QuietFigures(server, pid);
          if (!now)
            return false;
          after = *now;
          return after.fds <= base.fds + kFdSlack &&
                 after.threads <= base.threads;
        },
        seconds(30));
    EXPECT_TRUE(back) << "not back to the baseline (" << Describe(base)
                      << "): " << Describe(after);
    std::printf(
        "[ figures  ] %s wave %d: answers:%s fds %d -> %d under load -> %d "
        "(%lld ms after the apps closed); threads %d -> %d; RSS %lld -> %lld "
        "KiB (peak so far %lld KiB); %d upstream connections so far\n",
        std::string(Name(GetParam())).c_str(), wave, summary.c_str(), base.fds,
        fds_loaded, after.fds,
        static_cast<long long>(std::chrono::duration_cast<milliseconds>(
                                   SteadyClock::now() - closed_at)
                                   .count()),
        base.threads, after.threads, base.rss_kib, after.rss_kib,
        PeakRssKib(pid), server.Accepted());
    return after;
  }
};

// Two waves of a thousand apps while the server misbehaves in one way
// (Wave() says what each checks); the agent's RSS, at its peak and after
// the first wave, stays within kRssGrowthKib of the baseline, the second
// wave reuses what the first left to the allocator (a leak would grow it
// again by as much), and the agent still answers ping and status.
TEST_P(ServerFaultLoadTest, EveryAppIsAnsweredAndNothingLeaks) {
  const HostileMode mode = GetParam();
  ASSERT_TRUE(RaiseNofileLimit(2 * kApps + 512))
      << "RLIMIT_NOFILE's hard limit is below " << 2 * kApps + 512;
  auto server = HostileServer::Start(mode);
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_TRUE(MakeAgentFor((*server)->BaseUrl(), Config(mode)));
  const pid_t pid = agent_->Pid();

  // Warm-up: one ask loads libcurl and starts the transport's thread (the
  // agent makes them at its first upstream call), so the baseline has them.
  {
    auto warm = Connect();
    ASSERT_TRUE(warm);
    auto answer = warm->Authorize(kProduct, "HOSTILE-WARM-UP");
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->value("allow", true), false) << answer->dump();
  }
  // Two quiet readings in a row that agree: the warm-up's retries go on
  // behind, and a socket the server closed first may still be open in the
  // agent for a moment.
  Figures base;
  std::optional<Figures> previous;
  ASSERT_TRUE(PollUntil(
      [&] {
        auto now = QuietFigures(**server, pid);
        if (!now)
          return false;
        const bool same = previous && previous->fds == now->fds &&
                          previous->threads == now->threads;
        previous = now;
        base = *now;
        return same;
      },
      seconds(20)))
      << "the agent never settled after the warm-up";

  const Figures first = Wave(**server, base, 1);
  if (HasFailure())
    return;
  const Figures second = Wave(**server, base, 2);
  EXPECT_LT(first.rss_kib - base.rss_kib, kRssGrowthKib)
      << "RSS grew from " << base.rss_kib << " to " << first.rss_kib
      << " KiB in the first wave";
  const long long peak_kib = PeakRssKib(agent_->Pid());
  EXPECT_LT(peak_kib - base.rss_kib, kRssGrowthKib)
      << "RSS peaked at " << peak_kib << " KiB from " << base.rss_kib;
  EXPECT_LT(second.rss_kib - first.rss_kib, kRssRepeatGrowthKib)
      << "RSS grew from " << first.rss_kib << " to " << second.rss_kib
      << " KiB in the second wave";

  ASSERT_TRUE(agent_->Running()) << agent_->Log();
  auto client = Connect();
  ASSERT_TRUE(client);
  auto pong = client->Call({{"op", "ping"}});
  ASSERT_TRUE(pong) << pong.error().message;
  EXPECT_EQ(pong->value("ok", false), true) << pong->dump();
  auto status = client->Call({{"op", "status"}});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->value("ok", false), true) << status->dump();
  EXPECT_EQ(status->value("online", true), false) << status->dump();
}

INSTANTIATE_TEST_SUITE_P(Modes,
                         ServerFaultLoadTest,
                         ::testing::Values(HostileMode::kHang,
                                           HostileMode::kDropMidBody,
                                           HostileMode::kHugeBody,
                                           HostileMode::kMalformedHeaders,
                                           HostileMode::kTrickle,
                                           HostileMode::kGarbageTls),
                         [](const auto& param_info) {
                           return std::string(Name(param_info.param));
                         });

}  // namespace
}  // namespace gg::e2e
