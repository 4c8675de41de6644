// Giving freed heap memory back to the system. After many allocations are
// freed at once (thousands of cached verdicts moved to disk only), the C
// library keeps the pages resident for reuse; an agent that idles after a
// burst should not hold its peak for the rest of its life.
#ifndef GG_PLATFORM_MEMORY_H_
#define GG_PLATFORM_MEMORY_H_

namespace gg {

// Returns free heap pages to the OS where the C library can (glibc
// malloc_trim, the macOS zone's pressure relief, the MSVC runtime's
// _heapmin). Costs up to a few milliseconds on a large heap: call it
// after a bulk free, not per request.
void ReleaseFreeMemory();

}  // namespace gg

#endif  // GG_PLATFORM_MEMORY_H_
