#include <csignal>

#include "service/reload_signal.h"

namespace gg::service {

void AddReloadSignal(asio::signal_set& signals) {
  signals.add(SIGHUP);
}

bool IsReloadSignal(int signal_number) {
  return signal_number == SIGHUP;
}

}  // namespace gg::service
