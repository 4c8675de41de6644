// The default endpoint on macOS: GG_AGENT_SOCKET, else the system socket
// when it exists, else a per-user agent's socket under $TMPDIR (macOS has
// no XDG_RUNTIME_DIR) -- but only in a directory the caller owns and nobody
// else can write (issue 16 point 5), so another user cannot plant one.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "ipc/client/transport.h"

namespace gg::client_internal {
namespace {

constexpr char kSystemSocket[] = "/var/run/gg-agent/agent.sock";

bool OwnedPrivateDir(const std::string& dir) {
  struct stat st {};
  return lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
         st.st_uid == getuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

}  // namespace

std::string DefaultEndpoint() {
  if (const char* env = std::getenv("GG_AGENT_SOCKET"); env && *env) {
    return env;
  }
  struct stat st {};
  if (lstat(kSystemSocket, &st) == 0) {
    return kSystemSocket;
  }
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) {
    std::string dir = std::string(tmp);
    while (dir.size() > 1 && dir.back() == '/') {
      dir.pop_back();
    }
    dir += "/gg-agent";
    if (OwnedPrivateDir(dir) &&
        lstat((dir + "/agent.sock").c_str(), &st) == 0) {
      return dir + "/agent.sock";
    }
  }
  return kSystemSocket;
}

}  // namespace gg::client_internal
