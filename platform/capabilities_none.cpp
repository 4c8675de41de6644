// Windows and macOS: no capabilities to hold or drop; the service account
// decides what the agent may read. Linux has capabilities_linux.cpp.
#include "platform/capabilities.h"

namespace gg {

Status LowerCapabilities() {
  return Ok();
}

Result<bool> WithReadAnyFile(const std::function<void()>& read) {
  read();
  return false;
}

Status DropAllCapabilities() {
  return Ok();
}

bool HoldsAnyCapability() {
  return false;
}

}  // namespace gg
