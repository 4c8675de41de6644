#include <malloc/malloc.h>

#include "platform/memory.h"

namespace gg {

void ReleaseFreeMemory() {
  // Every zone (nullptr), as much as it can (0: no goal).
  ::malloc_zone_pressure_relief(nullptr, 0);
}

}  // namespace gg
