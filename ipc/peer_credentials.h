// Who is connected, per OS: SO_PEERCRED on Linux, getpeereid and
// LOCAL_PEERPID on macOS, GetNamedPipeClientProcessId and the client's
// token read by identification-level impersonation on Windows (uid 0 for
// Administrators and LocalSystem, else the RID of the user SID; no gid).
// One symbol, one file per OS, chosen by CMake.
#ifndef GG_IPC_PEER_CREDENTIALS_H_
#define GG_IPC_PEER_CREDENTIALS_H_

#include <cstdint>
#include <vector>

#include "ipc/request_handler.h"

namespace gg::ipc {

// `native_handle`: the connected socket's fd (POSIX) or the pipe HANDLE cast
// to an integer (Windows). Unknown fields stay -1; never fails harder.
// Windows: call only once bytes have been read from the pipe (a server may
// impersonate its client only then), on the thread that will go on: it
// impersonates the client and reverts (aborting the process if it cannot).
Peer ReadPeerCredentials(std::intptr_t native_handle);

// Windows only: the agent's own uid as ReadPeerCredentials would report
// it, -1 when its token cannot be read.
long long OwnProcessUid();

// True when a peer whose primary group is `gid` and user `uid` is in one of
// `allowed_gids` (supplementary groups included where the OS tells us).
bool PeerInGroups(const Peer& peer, const std::vector<long long>& allowed_gids);

}  // namespace gg::ipc

#endif  // GG_IPC_PEER_CREDENTIALS_H_
