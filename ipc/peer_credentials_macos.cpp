#include "ipc/peer_credentials.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>

namespace gg::ipc {

Peer ReadPeerCredentials(std::intptr_t native_handle) {
  Peer peer;
  int fd = static_cast<int>(native_handle);
  uid_t uid = 0;
  gid_t gid = 0;
  if (getpeereid(fd, &uid, &gid) == 0) {
    peer.uid = uid;
    peer.gid = gid;
  }
  pid_t pid = 0;
  socklen_t len = sizeof(pid);
  if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) == 0) {
    peer.pid = pid;
  }
  return peer;
}

bool PeerInGroups(const Peer& peer, const std::vector<long long>& allowed) {
  // macOS: the primary group only; membership APIs (mbr_*) are a follow-up.
  return peer.gid >= 0 &&
         std::find(allowed.begin(), allowed.end(), peer.gid) != allowed.end();
}

}  // namespace gg::ipc
