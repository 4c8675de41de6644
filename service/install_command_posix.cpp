// On Linux and macOS the service manager's own tools register the agent;
// `gg-agent install` only says how, like `docker` leaves it to systemctl.
#include "service/commands.h"

namespace gg::service {

int InstallCommand(std::ostream& out, std::ostream&) {
  out << "gg-agent runs under systemd. The package installed:\n"
         "  /usr/lib/systemd/system/gg-agent.service\n"
         "  /usr/lib/systemd/system/gg-agent.socket\n"
         "  /usr/lib/sysusers.d/gg-agent.conf\n"
         "Put the configuration in /etc/gg-agent/config.json, then run:\n"
         "  systemd-sysusers\n"
         "  systemctl daemon-reload\n"
         "  systemctl enable --now gg-agent.socket gg-agent.service\n";
  return kExitOk;
}

int UninstallCommand(std::ostream& out, std::ostream&) {
  out << "To stop and remove the agent from systemd, run:\n"
         "  systemctl disable --now gg-agent.socket gg-agent.service\n"
         "The cached verdicts stay in /var/lib/gg-agent until you delete "
         "them.\n";
  return kExitOk;
}

}  // namespace gg::service
