// Test support: what /proc says about a child process (Linux), for tests
// that check the agent gives back what a load took: its open descriptors,
// its threads and its memory.
#ifndef GG_TESTS_INTEGRATION_PROC_STATS_H_
#define GG_TESTS_INTEGRATION_PROC_STATS_H_

#include <sys/types.h>

namespace gg::e2e {

// Entries of /proc/PID/fd; -1 when unreadable.
int FdCount(pid_t pid);
// The Threads: line of /proc/PID/status; -1 when unreadable.
int ThreadCount(pid_t pid);
// VmRSS, and VmHWM (the peak RSS so far), in KiB; -1 when unreadable.
long long RssKib(pid_t pid);
long long PeakRssKib(pid_t pid);

}  // namespace gg::e2e

#endif  // GG_TESTS_INTEGRATION_PROC_STATS_H_
