#include <malloc.h>

#include "platform/memory.h"

namespace gg {

void ReleaseFreeMemory() {
  // Also releases whole free pages in the middle of the heap (madvise), not
  // only its top: what a burst of small frees leaves behind.
  ::malloc_trim(0);
}

}  // namespace gg
