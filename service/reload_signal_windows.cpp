#include "service/reload_signal.h"

namespace gg::service {

void AddReloadSignal(asio::signal_set&) {}

bool IsReloadSignal(int) {
  return false;
}

}  // namespace gg::service
