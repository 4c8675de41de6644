// The doctor's socket check on Windows: the named pipe's DACL is fixed by
// the agent (SYSTEM and Administrators full, Authenticated Users read and
// write, no remote clients), so what is left to check is that it answers.
#include "service/doctor.h"

namespace gg::service {

void CheckSocket(const config::Config& config, std::vector<Check>& out) {
  const std::string path = config.ipc.path.string();
  bool answered = false;
  const std::string ping = PingAgent(path, &answered);
  const std::string facts = path +
                            " (may connect: Authenticated Users, local only); "
                            "the agent " +
                            ping;
  if (answered)
    out.push_back({"socket", CheckLevel::kOk, facts, ""});
  else
    out.push_back({"socket", CheckLevel::kWarn, facts,
                   "sc query gg-agent; sc start gg-agent"});
}

}  // namespace gg::service
