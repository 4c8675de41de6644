#include "ipc/peer_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>

namespace gg::ipc {

Peer ReadPeerCredentials(std::intptr_t native_handle) {
  Peer peer;
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(static_cast<int>(native_handle), SOL_SOCKET, SO_PEERCRED,
                 &cred, &len) == 0 &&
      len == sizeof(cred)) {
    peer.pid = cred.pid;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
  }
  return peer;
}

bool PeerInGroups(const Peer& peer, const std::vector<long long>& allowed) {
  if (peer.gid >= 0 &&
      std::find(allowed.begin(), allowed.end(), peer.gid) != allowed.end()) {
    return true;
  }
  if (peer.uid < 0) {
    return false;
  }
  // Supplementary groups come from the user database, read at accept.
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(static_cast<uid_t>(peer.uid), &pw, buf.data(), buf.size(),
                 &found) != 0 ||
      found == nullptr) {
    return false;
  }
  int count = 256;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) {
    return false;
  }
  groups.resize(static_cast<std::size_t>(count));
  return std::any_of(groups.begin(), groups.end(), [&](gid_t g) {
    return std::find(allowed.begin(), allowed.end(),
                     static_cast<long long>(g)) != allowed.end();
  });
}

}  // namespace gg::ipc
