// The doctor's socket check on Linux and macOS: the file, its mode and
// group, who may connect, and whether an agent answers on it.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include "service/doctor.h"
#include "service/file_owner.h"

namespace gg::service {
namespace {

std::string GroupMembers(long long gid) {
  const group* gr = ::getgrgid(static_cast<gid_t>(gid));
  if (gr == nullptr || gr->gr_mem == nullptr || gr->gr_mem[0] == nullptr)
    return "";
  std::string out;
  int n = 0;
  for (char** m = gr->gr_mem; *m != nullptr; ++m, ++n) {
    if (n == 8) {
      out += ", ...";
      break;
    }
    out += (out.empty() ? "" : ", ") + std::string(*m);
  }
  return out;
}

}  // namespace

void CheckSocket(const config::Config& config, std::vector<Check>& out) {
  const std::string path = config.ipc.path.string();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    out.push_back({"socket", CheckLevel::kWarn,
                   path + " does not exist: no agent is listening there",
                   "systemctl enable --now gg-agent.socket (or start "
                   "gg-agent run)"});
    return;
  }
  if (!S_ISSOCK(st.st_mode)) {
    out.push_back({"socket", CheckLevel::kFail,
                   path + " exists but is not a socket: the agent cannot "
                          "listen there",
                   "remove it, or set ipc.path elsewhere"});
    return;
  }
  auto owner = FileOwner(path);
  const unsigned mode = st.st_mode & 0777u;
  char mode_text[8];
  std::snprintf(mode_text, sizeof mode_text, "%04o", mode);
  // Connecting needs write permission on the socket file.
  std::string who = owner ? owner->name : std::to_string(st.st_uid);
  if (st.st_uid != 0)
    who = "root, " + who;
  if (mode & 0020u) {
    const std::string group = owner ? owner->group : std::to_string(st.st_gid);
    const std::string members = GroupMembers(st.st_gid);
    who += " and group " + group +
           (members.empty() ? " (no listed members)" : " (" + members + ")");
  }
  if (mode & 0002u)
    who = "every local user";
  std::string filters;
  if (config.ipc.allowed_uids)
    filters += "; only uids in ipc.allowedUids are served";
  if (config.ipc.allowed_groups)
    filters += "; only members of ipc.allowedGroups are served";
  bool answered = false;
  const std::string ping = PingAgent(path, &answered);
  const std::string facts =
      path + " (" + mode_text + ", " +
      (owner ? owner->name + ":" + owner->group : std::string("?")) +
      "); may connect: " + who + filters + "; the agent " + ping;
  if (mode & 0002u) {
    out.push_back({"socket", CheckLevel::kWarn, facts,
                   "set ipc.mode to 0660 and ipc.group (or the socket unit's "
                   "SocketMode=/SocketGroup=)"});
  } else if (!answered) {
    out.push_back({"socket", CheckLevel::kWarn, facts,
                   "systemctl status gg-agent.socket gg-agent; journalctl -u "
                   "gg-agent"});
  } else {
    out.push_back({"socket", CheckLevel::kOk, facts, ""});
  }
}

}  // namespace gg::service
