// The rows gg-bench prints: every target of issue 11's table (the figures
// of spec/agent.md §7 tightened), each with its measured value, the
// baseline it is judged against (the bare echo floor measured in the same
// run, or the target's own limit for absolute figures), the ratio, and
// PASS/MISS. Also the machine's load while the benchmark ran, since the
// machine may be shared: ratios against the echo floor of the same run
// are what counts, absolute figures move with the load.
//
// Threads: one thread only.
#ifndef GG_BENCH_REPORT_H_
#define GG_BENCH_REPORT_H_

#include <string>
#include <vector>

namespace gg::bench {

struct Row {
  std::string id;             // stable name for tools ("throughput", ...)
  std::string what;           // human description
  double value = 0;           // what was measured, in `unit`
  std::string unit;           // "pairs/s", "us", "ms", "MiB", "requests"
  double baseline = 0;        // what `value` is divided by
  std::string baseline_what;  // "echo floor", "target"
  std::string target;         // human target, e.g. ">= 0.80 x echo"
  bool pass = false;
  std::string note;  // extra detail (failures, counts)
  double ratio() const { return baseline != 0 ? value / baseline : 0; }
};

class Report {
 public:
  // Prints the row at once (a long run shows progress) and keeps it.
  void Add(Row row);
  // A line of context (load, message sizes) printed now and kept.
  void Note(std::string key, std::string text);
  // The table of every row with ratio and PASS/MISS.
  void PrintTable() const;
  // The same rows as one JSON document, to `fd` when it is >= 0, else to
  // the file `path`; false when it cannot be written.
  bool WriteJson(int fd, const std::string& path) const;

 private:
  std::vector<Row> rows_;
  std::vector<std::pair<std::string, std::string>> notes_;
};

// /proc/loadavg's first three fields, "" when unreadable.
std::string LoadAverage();

}  // namespace gg::bench

#endif  // GG_BENCH_REPORT_H_
