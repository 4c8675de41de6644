// gg-bench's runs that need an agent of their own: start to ready, memory
// after 100,000 distinct keys, and an uncached ask with the server
// refusing connections.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_runs.h"

namespace gg::bench {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

double Ms(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Asks for the keys prefix + [begin, end) once each over one connection,
// `batch` pipelined at a time; counts the allows.
long long AskRange(const std::string& socket,
                   const std::string& prefix,
                   int begin,
                   int end,
                   int batch) {
  auto c = Must(LineClient::Connect(socket), "connect");
  long long allowed = 0;
  for (int at = begin; at < end; at += batch) {
    const int n = std::min(batch, end - at);
    std::string lines;
    for (int i = 0; i < n; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "%s%05d", prefix.c_str(), at + i);
      lines += AuthorizeLine(at + i, kProduct, key, false);
    }
    Must(c.Send(lines), "send keys");
    for (int i = 0; i < n; ++i)
      if (Must(c.ReadLine(), "read keys").find("\"allow\":true") !=
          std::string::npos)
        ++allowed;
  }
  return allowed;  // closing the connection ends its sessions
}

// A TCP port on 127.0.0.1 nobody listens on (bound, then closed).
int RefusingPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    Die("refusing port", Error{ErrorCode::kIo, "bind"});
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

void RunStart(devserver::DevServer& server, Report& report) {
  TempDir dir;
  AgentConfig cfg{server.BaseUrl(), dir.path(), 1024, 32};
  auto config = Must(WriteAgentConfig(cfg), "config");
  std::vector<double> empty_ms;
  {
    auto first = Must(AgentProcess::Start(config, dir.path()), "agent");
    first.Stop();
    for (int run = 0; run < 3; ++run) {
      auto a = Must(AgentProcess::Start(config, dir.path()), "agent");
      empty_ms.push_back(static_cast<double>(a.start_to_ready().count()) /
                         1000.0);
    }
  }
  std::sort(empty_ms.begin(), empty_ms.end());
  report.Add({"start_empty", "start to ready, nothing cached (median of 3)",
              empty_ms[1], "ms", 20, "target", "<= 20 ms", empty_ms[1] <= 20,
              ""});

  SeedStateDir(config, dir.path(), "BENCH-", 10000);
  std::vector<double> ms;
  std::vector<double> first_ms;
  bool answered = true;
  long long loaded = -1;
  for (int run = 0; run < 3; ++run) {
    auto a = Must(AgentProcess::Start(config, dir.path()), "agent");
    ms.push_back(static_cast<double>(a.start_to_ready().count()) / 1000.0);
    // Ready means ready: a cached key is answered from the cache (it waits
    // for the verification of every row, whose newest signed time is the
    // clock's floor); how long that takes after READY is in the note.
    const auto asked = std::chrono::steady_clock::now();
    auto c = Must(LineClient::Connect(a.SocketPath()), "connect");
    Must(c.Send(AuthorizeLine(1, kProduct, "BENCH-09999", false)), "send");
    answered = answered && !CachedSession(Must(c.ReadLine(), "read")).empty();
    first_ms.push_back(std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - asked)
                           .count());
    auto st = Must(c.Call({{"v", 1}, {"id", 2}, {"op", "status"}}), "status");
    loaded = st.value("cachedVerdicts", -1LL);
    a.Stop();
  }
  std::sort(ms.begin(), ms.end());
  std::sort(first_ms.begin(), first_ms.end());
  char note[200];
  std::snprintf(note, sizeof(note),
                "runs %.1f, %.1f, %.1f ms; cached allow right after ready: "
                "%s, answered %.0f ms after ready (median); cachedVerdicts "
                "%lld",
                ms[0], ms[1], ms[2], answered ? "yes" : "NO", first_ms[1],
                loaded);
  report.Add({"start_10000",
              "start to ready, 10,000 cached verdicts (median of 3)", ms[1],
              "ms", 100, "target", "<= 100 ms", ms[1] <= 100 && answered,
              note});
}

void RunManyKeys(devserver::DevServer& server, Report& report) {
  constexpr int kKeys = 100000;
  constexpr int kThreads = 4;
  TempDir dir;
  AgentConfig cfg{server.BaseUrl(), dir.path(), 1024, 512};
  auto config = Must(WriteAgentConfig(cfg), "config");
  SeedStateDir(config, dir.path(), "MANY-", kKeys);
  auto agent =
      Must(AgentProcess::Start(config, dir.path(), std::chrono::seconds(300)),
           "agent with 100,000 verdicts");
  std::atomic<long long> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      allowed += AskRange(agent.SocketPath(), "MANY-", t * kKeys / kThreads,
                          (t + 1) * kKeys / kThreads, 256);
    });
  }
  for (auto& t : threads)
    t.join();
  // Every connection is closed: no session is left. Let the loop settle.
  std::this_thread::sleep_for(milliseconds(500));
  const long kib = Must(agent.VmRssKiB(), "VmRSS");
  const long dirty = Must(agent.PrivateDirtyKiB(), "Private_Dirty");
  auto c = Must(LineClient::Connect(agent.SocketPath()), "connect");
  auto st = Must(c.Call({{"v", 1}, {"id", 1}, {"op", "status"}}), "status");
  char note[200];
  std::snprintf(note, sizeof(note),
                "%lld/%d allowed; Private_Dirty %.1f MiB; then sessions %lld, "
                "cachedVerdicts %lld (%lld in memory)",
                allowed.load(), kKeys, Mib(dirty), st.value("sessions", -1LL),
                st.value("cachedVerdicts", -1LL),
                st.value("verdictsInMemory", -1LL));
  report.Add({"rss_100000_keys", "VmRSS after 100,000 distinct keys asked once",
              Mib(kib), "MiB", 32, "target", "<= 32 MiB",
              kib <= 32 * 1024 && allowed == kKeys, note});
  agent.Stop();
}

void RunOffline(Report& report) {
  constexpr int kConnectTimeoutMs = 1000;
  TempDir dir;
  AgentConfig cfg{"http://127.0.0.1:" + std::to_string(RefusingPort()),
                  dir.path(), 1024, 32};
  cfg.connect_timeout_ms = kConnectTimeoutMs;
  cfg.request_deadline_ms = 5000;
  auto config = Must(WriteAgentConfig(cfg), "config");
  auto agent = Must(AgentProcess::Start(config, dir.path()), "agent");
  auto c = Must(LineClient::Connect(agent.SocketPath()), "connect");
  // New keys (each starts a request) and one key asked again while its
  // retries go on behind.
  std::vector<double> ms;
  bool offline = true;
  for (int i = 0; i < 10; ++i) {
    const std::string key = "BENCH-OFFLINE-" + std::to_string(i < 5 ? i : 0);
    auto begin = Steady::now();
    Must(c.Send(AuthorizeLine(i, kProduct, key, false)), "send");
    const std::string a = Must(c.ReadLine(), "read");
    ms.push_back(Ms(Steady::now() - begin));
    offline = offline && a.find("AGENT_OFFLINE") != std::string::npos;
  }
  agent.Stop();
  std::sort(ms.begin(), ms.end());
  const double limit = kConnectTimeoutMs + 50;
  char note[128];
  std::snprintf(note, sizeof(note),
                "slowest of 10; median %.1f ms; all AGENT_OFFLINE: %s",
                ms[ms.size() / 2], offline ? "yes" : "NO");
  report.Add({"offline_uncached", "uncached ask, server refusing connections",
              ms.back(), "ms", limit, "target", "<= connectTimeoutMs + 50 ms",
              ms.back() <= limit && offline, note});
}

}  // namespace gg::bench
