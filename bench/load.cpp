#include "bench/load.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace gg::bench {

using Steady = std::chrono::steady_clock;

Result<ThroughputResult> RunThroughput(const std::string& socket_path,
                                       int clients,
                                       std::chrono::milliseconds duration,
                                       const Exchange& exchange) {
  std::vector<LineClient> conns;
  for (int i = 0; i < clients; ++i) {
    auto c = LineClient::Connect(socket_path);
    if (!c)
      return tl::unexpected(c.error());
    conns.push_back(*std::move(c));
  }
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::vector<long long> counts(static_cast<std::size_t>(clients), 0);
  std::vector<long long> fails(static_cast<std::size_t>(clients), 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      auto idx = static_cast<std::size_t>(i);
      while (!go.load())
        std::this_thread::yield();
      long long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (exchange(conns[idx], static_cast<long long>(i) * 100000000 + n))
          ++counts[idx];
        else if (++fails[idx] > 1000)
          break;  // the server is gone; stop hammering it
        ++n;
      }
    });
  }
  auto begin = Steady::now();
  go = true;
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& t : threads)
    t.join();
  ThroughputResult r;
  r.seconds = std::chrono::duration<double>(Steady::now() - begin).count();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    r.exchanges += counts[i];
    r.failures += fails[i];
  }
  return r;
}

Result<std::vector<double>> RunLatency(const std::string& socket_path,
                                       int count,
                                       const Exchange& timed,
                                       const Exchange& untimed) {
  auto c = LineClient::Connect(socket_path);
  if (!c)
    return tl::unexpected(c.error());
  std::vector<double> us;
  const int warmup = count / 10;
  for (int i = 0; i < warmup + count; ++i) {
    auto begin = Steady::now();
    bool ok = timed(*c, i);
    auto end = Steady::now();
    if (!ok)
      return MakeError(ErrorCode::kHarness, "a timed exchange failed");
    if (untimed && !untimed(*c, i))
      return MakeError(ErrorCode::kHarness, "an untimed exchange failed");
    if (i >= warmup)
      us.push_back(
          std::chrono::duration<double, std::micro>(end - begin).count());
  }
  std::sort(us.begin(), us.end());
  return us;
}

Result<std::vector<double>> RunConcurrentLatency(
    const std::string& socket_path,
    int clients,
    std::chrono::milliseconds duration,
    const Exchange& timed,
    const Exchange& untimed) {
  std::vector<LineClient> conns;
  for (int i = 0; i < clients; ++i) {
    auto c = LineClient::Connect(socket_path);
    if (!c)
      return tl::unexpected(c.error());
    conns.push_back(*std::move(c));
  }
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> us(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      auto idx = static_cast<std::size_t>(i);
      while (!go.load())
        std::this_thread::yield();
      long long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const long long id = static_cast<long long>(i) * 100000000 + n++;
        auto begin = Steady::now();
        bool ok = timed(conns[idx], id);
        auto end = Steady::now();
        if (!ok || (untimed && !untimed(conns[idx], id))) {
          failed = true;
          break;
        }
        us[idx].push_back(
            std::chrono::duration<double, std::micro>(end - begin).count());
      }
    });
  }
  go = true;
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& t : threads)
    t.join();
  if (failed)
    return MakeError(ErrorCode::kHarness,
                     "an exchange failed under concurrent load");
  std::vector<double> all;
  for (auto& v : us)
    all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  return all;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace gg::bench
