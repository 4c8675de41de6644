// The measurements gg-bench runs (bench_main.cpp prints them), and what
// they share: the demo fixtures' keys, fail-fast helpers, and the parts of
// an agent answer the runs look at.
//
// Threads: RunAll and the Run* functions run on the caller's thread and
// spawn and join their own client threads.
#ifndef GG_BENCH_BENCH_RUNS_H_
#define GG_BENCH_BENCH_RUNS_H_

#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "bench/report.h"
#include "platform/result.h"
#include "tests/devserver/harness.h"

namespace gg::bench {

inline const std::string kProduct = devserver::kDemoProductId;
inline const std::string kWarmKey = devserver::kDemoLicenseKey;
inline constexpr char kColdKey[] = "BENCH-COLD-0001";

// Every measurement, in order, into `report`.
// `only`: one group ("speed", "start", "keys", "offline"), or all when empty.
void RunAll(int seconds, const std::string& only, Report& report);

// bench_speed.cpp: throughput, latency at 1 and 8 clients, 10,000 open
// sessions and the 1,000 cold asks, on one running agent.
void RunSpeed(int seconds, devserver::DevServer& server, Report& report);
// bench_memory.cpp: start to ready (empty and with 10,000 verdicts), the
// 100,000-keys memory run, and the uncached ask with the server refusing
// connections; each on an agent of its own.
void RunStart(devserver::DevServer& server, Report& report);
void RunManyKeys(devserver::DevServer& server, Report& report);
void RunOffline(Report& report);

[[noreturn]] void Die(const std::string& what, const Error& e);
template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r)
    Die(what, r.error());
  return *std::move(r);
}
inline void Must(Status s, const std::string& what) {
  if (!s)
    Die(what, s.error());
}

// The sessionId of an allow answer from the cache, or "" for anything else.
std::string CachedSession(const std::string& answer);

// A state directory whose cache.db holds `count` signed allows for the
// keys prefix + 5-digit index, for the agent configured by `config`
// (which is started once to enroll and create the schema).
void SeedStateDir(const std::filesystem::path& config,
                  const std::filesystem::path& dir,
                  const std::string& prefix,
                  int count);

double Mib(long kib);

}  // namespace gg::bench

#endif  // GG_BENCH_BENCH_RUNS_H_
