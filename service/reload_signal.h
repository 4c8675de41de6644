// The signals `run` handles: SIGTERM/SIGINT stop it everywhere; SIGHUP
// reloads the config where it exists (Windows uses PARAMCHANGE instead).
#ifndef GG_SERVICE_RELOAD_SIGNAL_H_
#define GG_SERVICE_RELOAD_SIGNAL_H_

#include "ipc/asio.h"

namespace gg::service {

// Adds SIGHUP to `signals` where the OS has it.
void AddReloadSignal(asio::signal_set& signals);
bool IsReloadSignal(int signal_number);

}  // namespace gg::service

#endif  // GG_SERVICE_RELOAD_SIGNAL_H_
