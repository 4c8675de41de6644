// gg-bench: the speed and size targets of issue 11 (spec/agent.md §7,
// tightened) against the real gg-agent and gg-devserver, with the bare
// echo floor measured in the same process and the same run, with the same
// message sizes. Prints every target with its ratio and PASS/MISS; exits 0
// even on a miss (it is a benchmark, not a test) and 1 only when it could
// not measure.
//
// Usage: gg-bench [seconds per throughput run, default 3] [--json FILE]
//                 [--agent PATH] [--only speed|start|keys|offline]
//   --json FILE writes the rows as JSON too ("-": stdout; the table then
//   goes to stderr); --agent measures another gg-agent build; --only runs
//   one group of rows (to profile it).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_runs.h"
#include "bench/report.h"

int main(int argc, char** argv) {
  int seconds = 3;
  std::string json;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json = argv[++i];
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (std::strcmp(argv[i], "--agent") == 0 && i + 1 < argc) {
      gg::bench::SetAgentBinary(argv[++i]);
    } else if (std::atoi(argv[i]) > 0) {
      seconds = std::atoi(argv[i]);
    } else {
      std::fprintf(stderr,
                   "usage: gg-bench [seconds per run] [--json FILE|-] "
                   "[--agent PATH] [--only speed|start|keys|offline]\n");
      return 2;
    }
  }
  int json_fd = -1;
  if (json == "-") {
    // The table goes to stderr so stdout holds the JSON alone.
    json_fd = ::dup(1);
    if (json_fd < 0 || ::dup2(2, 1) < 0) {
      std::perror("gg-bench: dup");
      return 1;
    }
  }
  gg::bench::Report report;
  gg::bench::RunAll(seconds, only, report);
  report.PrintTable();
  if (!json.empty()) {
    std::fflush(stdout);
    if (!report.WriteJson(json_fd >= 0 ? json_fd : -1, json)) {
      std::fprintf(stderr, "gg-bench: cannot write %s\n", json.c_str());
      return 1;
    }
  }
  return 0;
}
