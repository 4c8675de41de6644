#include "ipc/peer_credentials.h"

#include <windows.h>

namespace gg::ipc {

Peer ReadPeerCredentials(std::intptr_t native_handle) {
  Peer peer;
  ULONG pid = 0;
  // The pipe HANDLE travels as an integer so the header needs no OS type.
  if (GetNamedPipeClientProcessId(reinterpret_cast<HANDLE>(native_handle),
                                  &pid) != 0) {
    peer.pid = static_cast<long long>(pid);
  }
  return peer;  // uid/gid have no Windows meaning; the DACL gates access
}

bool PeerInGroups(const Peer&, const std::vector<long long>&) {
  return false;  // allowedGroups is a POSIX setting
}

}  // namespace gg::ipc
