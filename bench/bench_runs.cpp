#include "bench/bench_runs.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "bench/cache_seed.h"
#include "platform/clock.h"

namespace gg::bench {

void Die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "gg-bench: %s: %s\n", what.c_str(), e.message.c_str());
  std::exit(1);
}

std::string CachedSession(const std::string& answer) {
  if (answer.find("\"allow\":true") == std::string::npos ||
      answer.find("\"source\":\"cache\"") == std::string::npos)
    return "";
  const std::string tag = "\"sessionId\":\"";
  auto at = answer.find(tag);
  if (at == std::string::npos)
    return "";
  at += tag.size();
  return answer.substr(at, answer.find('"', at) - at);
}

void SeedStateDir(const std::filesystem::path& config,
                  const std::filesystem::path& dir,
                  const std::string& prefix,
                  int count) {
  {
    // Enrolls the hardware ID and creates cache.db with its schema.
    auto first = Must(AgentProcess::Start(config, dir), "agent");
    first.Stop();
  }
  SeedOptions seed;
  seed.database = dir / "state" / "cache.db";
  seed.product_id = kProduct;
  seed.hwid = Must(AgentHwid(config, kProduct), "gg-agent hwid");
  seed.key_prefix = prefix;
  seed.count = count;
  seed.now_unix = UnixSeconds(SystemClock().Now());
  Must(SeedVerdicts(seed), "seed cache.db");
}

double Mib(long kib) {
  return static_cast<double>(kib) / 1024.0;
}

void RunAll(int seconds, const std::string& only, Report& report) {
  report.Note("gg-agent", AgentBinary());
  report.Note("cores", std::to_string(std::thread::hardware_concurrency()));
  report.Note("load average at start", LoadAverage());
  devserver::DevServerOptions dso;
  auto server = Must(devserver::DevServer::Start(dso), "start gg-devserver");
  // `only` (empty: all) runs one group, for profiling one of them.
  if (only.empty() || only == "speed")
    RunSpeed(seconds, *server, report);
  if (only.empty() || only == "start")
    RunStart(*server, report);
  if (only.empty() || only == "keys")
    RunManyKeys(*server, report);
  if (only.empty() || only == "offline")
    RunOffline(report);
  report.Note("load average at end", LoadAverage());
}

}  // namespace gg::bench
