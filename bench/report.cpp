#include "bench/report.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace gg::bench {

void Report::Add(Row row) {
  std::printf("  %-52s %12.2f %-8s ratio %.3f (%s)  %s %s\n", row.what.c_str(),
              row.value, row.unit.c_str(), row.ratio(),
              row.baseline_what.c_str(), row.pass ? "PASS" : "MISS",
              row.note.c_str());
  std::fflush(stdout);
  rows_.push_back(std::move(row));
}

void Report::Note(std::string key, std::string text) {
  std::printf("%s: %s\n", key.c_str(), text.c_str());
  std::fflush(stdout);
  notes_.emplace_back(std::move(key), std::move(text));
}

void Report::PrintTable() const {
  std::printf("\n%-52s %12s %-8s %12s %-24s %s\n", "measurement", "value",
              "unit", "baseline", "ratio / target", "");
  for (const Row& r : rows_) {
    char ratio[96];
    std::snprintf(ratio, sizeof(ratio), "%.3f (%s)", r.ratio(),
                  r.target.c_str());
    std::printf("%-52s %12.2f %-8s %12.2f %-24s %s\n", r.what.c_str(), r.value,
                r.unit.c_str(), r.baseline, ratio, r.pass ? "PASS" : "MISS");
  }
  for (const auto& [key, text] : notes_)
    std::printf("%s: %s\n", key.c_str(), text.c_str());
}

bool Report::WriteJson(int fd, const std::string& path) const {
  nlohmann::json rows = nlohmann::json::array();
  for (const Row& r : rows_) {
    rows.push_back({{"id", r.id},
                    {"what", r.what},
                    {"value", r.value},
                    {"unit", r.unit},
                    {"baseline", r.baseline},
                    {"baselineIs", r.baseline_what},
                    {"ratio", r.ratio()},
                    {"target", r.target},
                    {"pass", r.pass},
                    {"note", r.note}});
  }
  nlohmann::json notes = nlohmann::json::object();
  for (const auto& [key, text] : notes_)
    notes[key] = text;
  const std::string text =
      nlohmann::json{{"rows", rows}, {"notes", notes}}.dump(2) + "\n";
  if (fd >= 0) {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n <= 0)
        return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c))
    return "";
  return a + " " + b + " " + c;
}

}  // namespace gg::bench
