#include <malloc.h>

#include "platform/memory.h"

namespace gg {

void ReleaseFreeMemory() {
  // The C runtime's heap (mingw-w64 and MSVC): decommits what it can.
  ::_heapmin();
}

}  // namespace gg
