#include "service/process_hardening.h"

namespace gg::service {

// Crash dumps of a LocalSystem service go through Windows Error Reporting
// into folders only administrators can read; nothing to switch off here.
Status HardenProcess() {
  return Ok();
}

}  // namespace gg::service
