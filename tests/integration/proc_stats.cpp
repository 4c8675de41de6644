#include "tests/integration/proc_stats.h"

#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>

namespace gg::e2e {
namespace {

// The number after "NAME:" in /proc/PID/status; -1 when it is not there.
long long StatusField(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::string prefix = name + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      std::istringstream fields(line.substr(prefix.size()));
      long long value = -1;
      fields >> value;
      return value;
    }
  }
  return -1;
}

}  // namespace

int FdCount(pid_t pid) {
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr)
    return -1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.')
      ++count;
  }
  ::closedir(dir);
  return count;
}

int ThreadCount(pid_t pid) {
  return static_cast<int>(StatusField(pid, "Threads"));
}

long long RssKib(pid_t pid) {
  return StatusField(pid, "VmRSS");
}

long long PeakRssKib(pid_t pid) {
  return StatusField(pid, "VmHWM");
}

}  // namespace gg::e2e
