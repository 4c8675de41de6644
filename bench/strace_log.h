// Reads the output of `strace -f -yy` (fd arguments annotated with what
// they are: `read(7<UNIX-STREAM:[1->2,/path]>, ...`, `pwrite64(5</x/cache.db>`,
// `connect(9<TCP:[...]>`) and sorts each traced call into IPC traffic or a
// violation of "the cached authorize path does no disk or network I/O".
//
// Pure (text in, summary out); thread-safe.
#ifndef GG_BENCH_STRACE_LOG_H_
#define GG_BENCH_STRACE_LOG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gg::bench {

struct TraceSummary {
  // Calls on the IPC connection (a Unix stream socket), by syscall name.
  std::map<std::string, int> ipc;
  // Reads/writes of the agent's own wake-up eventfds and pipes: neither
  // disk nor network, by syscall name.
  std::map<std::string, int> internal;
  // Every other traced call, as the strace line shows it.
  std::vector<std::string> violations;

  int IpcCount() const;
};

// One strace line classified into `summary`; lines that are not calls
// (attach notes, signals, exits, "<... resumed>" tails) are skipped.
void ClassifyStraceLine(std::string_view line, TraceSummary* summary);

TraceSummary ClassifyStraceLog(std::string_view text);

}  // namespace gg::bench

#endif  // GG_BENCH_STRACE_LOG_H_
