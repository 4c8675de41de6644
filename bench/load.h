// The load generators of gg-bench: lock-step request/answer loops over
// LineClient, used alike against the echo baseline and the real agent so
// both pay the same client-side costs.
//
// Threads: each function spawns and joins its own client threads.
#ifndef GG_BENCH_LOAD_H_
#define GG_BENCH_LOAD_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "platform/result.h"

namespace gg::bench {

// One lock-step exchange on a connection; `n` numbers it. Returns false on a
// failed or unexpected answer (counted, the loop goes on).
using Exchange = std::function<bool(LineClient& client, long long n)>;

struct ThroughputResult {
  long long exchanges = 0;
  long long failures = 0;
  double seconds = 0;
  double PerSecond() const { return seconds > 0 ? exchanges / seconds : 0; }
};

// `clients` threads, one connection each, repeat `exchange` for `duration`.
[[nodiscard]] Result<ThroughputResult> RunThroughput(
    const std::string& socket_path,
    int clients,
    std::chrono::milliseconds duration,
    const Exchange& exchange);

// One connection; `timed` is measured `count` times (after `count / 10`
// warm-up rounds), `untimed` runs after each (may be empty). Returns the
// round-trip times in microseconds, sorted.
[[nodiscard]] Result<std::vector<double>> RunLatency(
    const std::string& socket_path,
    int count,
    const Exchange& timed,
    const Exchange& untimed);

// `clients` threads, one connection each, repeat `timed` then `untimed`
// (may be empty) for `duration`; returns the round-trip times of `timed`
// in microseconds, sorted (the tail under concurrent load).
[[nodiscard]] Result<std::vector<double>> RunConcurrentLatency(
    const std::string& socket_path,
    int clients,
    std::chrono::milliseconds duration,
    const Exchange& timed,
    const Exchange& untimed);

double Percentile(const std::vector<double>& sorted, double p);

}  // namespace gg::bench

#endif  // GG_BENCH_LOAD_H_
