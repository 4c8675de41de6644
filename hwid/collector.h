// Reading the hardware parts of this machine. One thin collector per OS,
// chosen by CMake (collector_linux.cpp, collector_windows.cpp,
// collector_macos.cpp), each defining CollectParts(); all parsing is done by
// the pure functions of normalize.h and smbios.h.
//
// Collectors never fail: every part is read on its own, and a part that is
// absent, a placeholder or unreadable is listed in Collection::skipped (and
// logged at debug, source and reason only, never a value). Whether the
// result is usable (at least one part) is Reconcile()'s decision.
// Thread-safe: no shared state; blocking file/registry/IOKit reads.
#ifndef GG_HWID_COLLECTOR_H_
#define GG_HWID_COLLECTOR_H_

#include <filesystem>

#include "hwid/part.h"

namespace gg::hwid {

struct CollectOptions {
  // Linux: prefixes every path read (config `hwid.root`), so tests read
  // fixture trees. Ignored on Windows and macOS.
  std::filesystem::path root = "/";
};

// Multi-valued kinds (nic, disk) keep at most kMaxPartsPerMultiKind parts,
// the smallest values first, so the result does not depend on enumeration
// order.
Collection CollectParts(const CollectOptions& options);

// Sorts the parts of `kind` by value, drops duplicates and keeps the first
// `max`; other kinds are untouched. Pure; used by every collector.
void LimitKind(Collection* collection, PartKind kind, std::size_t max);

}  // namespace gg::hwid

#endif  // GG_HWID_COLLECTOR_H_
