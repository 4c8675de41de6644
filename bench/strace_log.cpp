#include "bench/strace_log.h"

#include <cctype>

namespace gg::bench {

int TraceSummary::IpcCount() const {
  int n = 0;
  for (const auto& [name, count] : ipc)
    n += count;
  return n;
}

void ClassifyStraceLine(std::string_view line, TraceSummary* summary) {
  // "[pid] NAME(args) = ret"; with -f and -o every line starts with the pid.
  std::size_t i = 0;
  while (i < line.size() &&
         (std::isdigit(static_cast<unsigned char>(line[i])) || line[i] == ' '))
    ++i;
  std::string_view rest = line.substr(i);
  if (rest.empty() || rest.starts_with("+++") || rest.starts_with("---") ||
      rest.starts_with("<...") || rest.starts_with("strace:"))
    return;
  std::size_t paren = rest.find('(');
  if (paren == std::string_view::npos || paren == 0)
    return;
  std::string name(rest.substr(0, paren));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return;  // not a call line
  }
  // The first argument's annotation, when it is an fd: "7<...>".
  std::string_view args = rest.substr(paren + 1);
  std::size_t j = 0;
  while (j < args.size() && std::isdigit(static_cast<unsigned char>(args[j])))
    ++j;
  std::string_view what;
  if (j > 0 && j < args.size() && args[j] == '<')
    what = args.substr(j + 1);
  if (what.starts_with("UNIX-STREAM:")) {
    ++summary->ipc[name];
    return;
  }
  const bool plain_io =
      name == "read" || name == "write" || name == "readv" || name == "writev";
  if (plain_io && (what.starts_with("anon_inode:[eventfd]") ||
                   what.starts_with("pipe:["))) {
    ++summary->internal[name];
    return;
  }
  summary->violations.emplace_back(line);
}

TraceSummary ClassifyStraceLog(std::string_view text) {
  TraceSummary summary;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    ClassifyStraceLine(text.substr(0, nl), &summary);
    if (nl == std::string_view::npos)
      break;
    text.remove_prefix(nl + 1);
  }
  return summary;
}

}  // namespace gg::bench
